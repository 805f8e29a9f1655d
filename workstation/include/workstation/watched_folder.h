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

// The files of `folder` that intake takes (photos and e-prescription JSON), not recursive, in the
// order they were taken (orderByCaptureTime).
std::vector<std::string> intakeFilesIn(const std::string& folder);

// Sorts `files` by when each was taken: a photo's EXIF time when it has one, else the file's
// modification time, then the name. Photos of the same paper then come in as they were taken,
// so the first is kept as the original and the later ones are flagged as re-photos.
void orderByCaptureTime(std::vector<std::string>& files);

// A folder files arrive in while a scanner or a phone may still be writing them. Each poll offers
// the files that were there at the previous poll with the same size and time (hidden files are a
// download in progress), in capture order; once taken in (or not), each is moved out of the way.
// Not thread-safe: one owner polls it.
class WatchedFolder {
 public:
  explicit WatchedFolder(std::string folder);
  const std::string& folder() const { return folder_; }

  // The files ready to take in now. Nothing when the folder is missing.
  std::vector<std::string> poll();

  // Moves `file` into the folder's "taken-in" subfolder, or "not-taken-in" when it could not be
  // taken in, so that it is never offered twice; a name already there is numbered (a phone reuses
  // IMG_0001.jpg). Returns where it went. A file that cannot be moved is never offered again; the
  // error names the file and says why.
  Result<std::string> putAside(const std::string& file, bool takenIn);

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
  };
  std::string folder_;
  std::map<std::string, Seen> seen_;  // files seen at the last poll, not yet put aside
  std::set<std::string> stuck_;       // could not be put aside: never offered again
};

}  // namespace rx::ws
