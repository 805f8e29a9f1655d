// Which files intake takes from a folder, in which order, and the watched folder (setting
// intake.watch_folder): a scanner's or a phone's sync folder that the window and `rxdesk-cli
// intake --watch` take prescriptions from as they arrive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace rx::ws {

// The files of `folder` that intake takes (photos and e-prescription JSON), not recursive, by name.
// Cheap (no file is opened): the window calls it on its UI thread.
std::vector<std::string> intakeFilesIn(const std::string& folder);

// Sorts `files` by when each was taken, then by name: the photos with an EXIF time by it, then the
// other files by modification time (the camera's clock and the computer's are not compared). Photos
// of the same paper then come in as they were taken, so the first is kept as the original and the
// later ones are flagged as re-photos. Opens each file: call it off the UI thread.
void orderByCaptureTime(std::vector<std::string>& files);

// A folder files arrive in while a scanner or a phone may still be writing them. Each poll offers
// the files that were there at the previous poll with the same size and time (hidden files are a
// download in progress), by name; once taken in (or not), each is moved out of the way. One
// watcher a folder: a watcher holds a lock file in it (`.rxdesk-watch.lock`, flock), and a second
// one (another window, `rxdesk-cli intake --watch`) is refused, so no file is taken in twice. Not
// thread-safe: one owner polls it.
class WatchedFolder {
 public:
  explicit WatchedFolder(std::string folder);
  ~WatchedFolder();
  WatchedFolder(const WatchedFolder&) = delete;
  WatchedFolder& operator=(const WatchedFolder&) = delete;
  const std::string& folder() const { return folder_; }

  // Takes the folder's lock; kBusy when another watcher has it, kNotFound when there is no such
  // folder. poll() claims it itself; callers that must report a refusal call this first.
  Status claim();

  // The files ready to take in now. Nothing when the folder is missing or another watcher has it.
  std::vector<std::string> poll();

  // Moves `file` into the folder's "taken-in" subfolder, or "not-taken-in" when it could not be
  // taken in, so that it is never offered twice; a name already there is numbered (a phone reuses
  // IMG_0001.jpg). Returns where it went. A file that cannot be moved is never offered again; the
  // error (kIo) says why, in the system's words. A file no longer there (taken away meanwhile) is
  // kNotFound and nothing is made for it.
  Result<std::string> putAside(const std::string& file, bool takenIn);

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
  };
  std::string folder_;
  int lock_ = -1;  // the lock file's descriptor while this watcher has the folder
  std::map<std::string, Seen> seen_;  // files seen at the last poll, not yet put aside
  std::set<std::string> stuck_;       // could not be put aside: never offered again
};

}  // namespace rx::ws
