// What every rxdesk-cli command shares: exit codes, output (text or --json), password input.
#pragma once

#include <signal.h>

#include <map>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace rx::cli {

// Exit codes, documented in the README and in `rxdesk-cli --help`.
enum class Exit : int {
  kOk = 0,
  kInternal = 1,
  kUsage = 2,       // bad arguments
  kNotFound = 3,    // no store, file or record
  kAuthFailed = 4,  // wrong password
  kUnknownUser = 5,
  kLockedOut = 6,         // too many failed logins; wait
  kPermissionDenied = 7,  // the role does not allow it
  kCorrupt = 8,           // integrity check failed, damaged or foreign file
  kIo = 9,                // disk full, read-only, cannot write
  kConflict = 10,         // already exists, or the workflow does not allow it now
  kUnsupported = 11,      // wrong library or format version
  kBadSignature = 12,
  kBusy = 13,         // another program has the store open (re-key, restore, purge need it alone)
  kUnavailable = 14,  // the chain registry could not be reached (the counter works on offline)
  kCancelled = 130,   // interrupted (Ctrl+C), as a shell reports SIGINT; nothing left half-done
};

Exit exitFor(ErrorCode code);
// The exit-code table as printed at the end of --help.
std::string exitCodeHelp();

struct GlobalOptions {
  std::string db;  // store path
  std::string user;
  bool json = false;
  bool verbose = false;
};

// One line of JSON; text that is not UTF-8 (a file name in GBK) is replaced, never a crash.
std::string jsonLine(const nlohmann::json& doc);
// Prints jsonLine(doc) on stdout and flushes (one object per input as it is done).
void printJson(const nlohmann::json& doc);
// {"code", "message"} of a failure, and the line printed for an input of a batch that failed.
nlohmann::json errorJson(const Status& status);
nlohmann::json inputErrorJson(const std::string& input, const Status& status);
// Prints `status` on stderr (and as {"ok":false,"error":{...}} on stdout with --json) and
// returns the exit code for it.
int reportError(const GlobalOptions& g, const Status& status);
// Prints `doc` (JSON mode) or `text` (otherwise) on stdout and returns 0.
int reportSuccess(const GlobalOptions& g, const nlohmann::json& doc, const std::string& text);

// Ctrl+C (SIGINT) and SIGTERM turned into a request to stop long work cleanly — a backup, an
// export, a watched folder — instead of killing the program in the middle of writing a file. The
// handlers are in place while it lives (one at a time); a signal reaches token() within 50 ms (a
// signal handler may only set a flag: a thread of its own passes it on). A second Ctrl+C kills the
// program as usual.
class Interruption {
 public:
  Interruption();
  ~Interruption();
  Interruption(const Interruption&) = delete;
  Interruption& operator=(const Interruption&) = delete;

  bool requested() const;
  std::stop_token token() const { return source_.get_token(); }

 private:
  std::stop_source source_;
  struct sigaction previousInt_ {};
  struct sigaction previousTerm_ {};
  std::jthread relay_;  // last: stopped and joined first
};

// A password as typed: its bytes are wiped when it goes (and on every reallocation it never makes:
// its capacity is reserved up front), like the keys it opens.
class Password {
 public:
  Password() { text_.reserve(kMax); }
  Password(Password&& other) noexcept : Password() { swap(other); }
  Password& operator=(Password&& other) noexcept {
    swap(other);
    return *this;
  }
  Password(const Password&) = delete;
  Password& operator=(const Password&) = delete;
  ~Password();
  static constexpr std::size_t kMax = 1024;  // longer input is refused
  // Appends a character; false when the password would exceed kMax.
  bool push(char c);
  std::string_view view() const { return text_; }
  operator std::string_view() const { return text_; }  // NOLINT: used where passwords go
  bool empty() const { return text_.empty(); }

 private:
  void swap(Password& other) noexcept { text_.swap(other.text_); }
  std::string text_;
};
Password passwordFrom(std::string_view text);
// Overwrites every byte `text` holds (its capacity), in a way the compiler keeps.
void wipe(std::string& text);

// Returns the login password: $RXDESK_PASSWORD if set (meant for scripts), else read from the
// terminal without echo. Never from the command line.
Result<Password> loginPassword(const std::string& user);
// Returns a new password: $RXDESK_NEW_PASSWORD if set, else asked twice on the terminal.
Result<Password> newPassword(const std::string& whose, const char* envVar = "RXDESK_NEW_PASSWORD");

// Reads FIELD=VALUE lines (UTF-8, at most 64 KiB; blank lines and lines starting with # skipped)
// from the file `from`, or from standard input when `from` is "-". For patient details, which on
// the command line any local user could read in /proc/PID/cmdline. Errors name the line; a field
// not in `allowed` (unless it is empty) is refused.
Result<std::map<std::string, std::string>> readFieldValues(const std::string& from,
                                                           const std::set<std::string>& allowed);

}  // namespace rx::cli
