// Who has a store open. Several processes share a store at a counter (the window all day, the
// scheduled backup, an admin at the CLI); a few operations need it alone: re-keying (removing a
// user), restoring a backup and purging records replace or delete what the others are using.
//
// Every process that opens the store holds a shared flock(2) on `<store>.lock`; an operation that
// needs the store alone turns its hold exclusive, or is refused naming the programs that have the
// store open (read from /proc/locks). flock, not fcntl: an fcntl lock is dropped when the process
// closes *any* descriptor of the file, which is how SQLite's own locks get lost (SQLite's "How To
// Corrupt" §2.2); a flock belongs to this descriptor alone.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rx::data {

class StoreLock {
 public:
  static std::string lockPath(const std::string& storePath) { return storePath + ".lock"; }

  // Takes a shared hold on the store at `storePath` (creating its lock file 0600). While another
  // process has the store alone (a re-key or restore of a few seconds), waits up to `wait`, then
  // kBusy naming what that process is doing.
  static Result<StoreLock> shared(const std::string& storePath,
                                  std::chrono::milliseconds wait = std::chrono::seconds(15));
  // Takes the store alone without opening it (restore of a store that may be damaged): kBusy
  // naming the programs that have it open.
  static Result<StoreLock> exclusive(const std::string& storePath, std::string_view action);

  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

  // Turns this shared hold exclusive for `action` ("remove a user", shown to the others): kBusy
  // "the store is open in rxdesk (pid 4242) on this computer; close it first" when any other
  // holder exists. On refusal the shared hold is kept.
  Status makeExclusive(std::string_view action);
  // Back to a shared hold after the exclusive operation.
  void makeShared();
  bool exclusive() const { return exclusive_; }

  // Describes the other processes holding `storePath`'s lock ("rxdesk-cli (pid 4242)"); empty
  // when none. Exposed for messages and tests.
  static std::vector<std::string> otherHolders(const std::string& storePath);

 private:
  StoreLock(int fd, std::string storePath) : fd_(fd), storePath_(std::move(storePath)) {}
  int fd_ = -1;
  std::string storePath_;
  bool exclusive_ = false;
};

}  // namespace rx::data
