#include "workstation/watched_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iterator>
#include <tuple>

#include "base/utf8.h"
#include "ocr/exif.h"

namespace rx::ws {

namespace {

// A file's modification time as local "YYYY-MM-DDTHH:MM:SS", comparable with EXIF's times (the
// camera's clock, local time).
std::string localTimeOf(std::filesystem::file_time_type t) {
  const auto sys = std::chrono::file_clock::to_sys(t);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys));
  std::tm local{};
  if (::localtime_r(&seconds, &local) == nullptr) return {};
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  return text;
}

}  // namespace

void orderByCaptureTime(std::vector<std::string>& files) {
  // (has no EXIF time, when, file): the camera's clock and the computer's are never compared.
  std::vector<std::tuple<bool, std::string, std::string>> keyed;
  keyed.reserve(files.size());
  for (auto& file : files) {
    std::string when = ocr::exifCaptureTimeOfFile(file).value_or(std::string());
    const bool noExif = when.empty();
    if (noExif) {
      std::error_code ec;
      const auto modified = std::filesystem::last_write_time(file, ec);
      if (!ec) when = localTimeOf(modified);
    }
    keyed.emplace_back(noExif, std::move(when), std::move(file));
  }
  std::stable_sort(keyed.begin(), keyed.end());
  files.clear();
  for (auto& k : keyed) files.push_back(std::move(std::get<2>(k)));
}

std::vector<std::string> intakeFilesIn(const std::string& folder) {
  static const char* kExtensions[] = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".json"};
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(std::begin(kExtensions), std::end(kExtensions), ext) != std::end(kExtensions))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

WatchedFolder::WatchedFolder(std::string folder) : folder_(std::move(folder)) {}

WatchedFolder::~WatchedFolder() {
  if (lock_ >= 0) ::close(lock_);  // releases the flock
}

Status WatchedFolder::claim() {
  if (lock_ >= 0) return Status();
  std::error_code ec;
  if (folder_.empty() || !std::filesystem::is_directory(folder_, ec))
    return Status(ErrorCode::kNotFound,
                  "The watched folder " + utf8OrEscaped(folder_) + " is not there");
  const std::string path = (std::filesystem::path(folder_) / ".rxdesk-watch.lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return Status(ErrorCode::kIo,
                  "Cannot watch " + utf8OrEscaped(folder_) + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(ErrorCode::kBusy,
                  "Another rxdesk program (a window or rxdesk-cli intake "
                  "--watch) is already watching " +
                      utf8OrEscaped(folder_) +
                      "; one watcher a folder, so that nothing is taken in twice");
  }
  lock_ = fd;
  return Status();
}

std::vector<std::string> WatchedFolder::poll() {
  std::error_code ec;
  if (!claim()) return {};
  std::map<std::string, Seen> now;
  std::vector<std::string> ready;
  for (const std::string& file : intakeFilesIn(folder_)) {
    if (std::filesystem::path(file).filename().string().starts_with(".")) continue;  // partial
    if (stuck_.count(file)) continue;
    Seen seen{std::filesystem::file_size(file, ec), std::filesystem::last_write_time(file, ec)};
    if (ec) continue;
    auto before = seen_.find(file);
    if (before != seen_.end() && before->second.size == seen.size &&
        before->second.modified == seen.modified && seen.size > 0)
      ready.push_back(file);
    now[file] = seen;
  }
  seen_ = std::move(now);
  return ready;
}

Result<std::string> WatchedFolder::putAside(const std::string& file, bool takenIn) {
  const std::filesystem::path from(file);
  const auto aside = from.parent_path() / (takenIn ? "taken-in" : "not-taken-in");
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(from, ec))) {
    seen_.erase(file);
    return Status(ErrorCode::kNotFound, utf8OrEscaped(file) +
                                            " was taken out of the watched "
                                            "folder meanwhile");
  }
  std::filesystem::create_directories(aside, ec);
  auto to = aside / from.filename();
  for (int n = 2; !ec && std::filesystem::exists(to, ec); ++n)
    to = aside / (from.stem().string() + "-" + std::to_string(n) + from.extension().string());
  if (!ec) std::filesystem::rename(from, to, ec);
  seen_.erase(file);
  if (ec) {
    stuck_.insert(file);
    return Status(ErrorCode::kIo, ec.message());
  }
  return to.string();
}

}  // namespace rx::ws
