#include "workstation/watched_folder.h"

#include <algorithm>
#include <cctype>
#include <chrono>
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
  std::vector<std::pair<std::string, std::string>> keyed;  // (when, file)
  keyed.reserve(files.size());
  for (auto& file : files) {
    std::string when = ocr::exifCaptureTimeOfFile(file).value_or(std::string());
    if (when.empty()) {
      std::error_code ec;
      const auto modified = std::filesystem::last_write_time(file, ec);
      if (!ec) when = localTimeOf(modified);
    }
    keyed.emplace_back(std::move(when), std::move(file));
  }
  std::stable_sort(keyed.begin(), keyed.end());
  files.clear();
  for (auto& [when, file] : keyed) files.push_back(std::move(file));
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
  std::sort(files.begin(), files.end());  // the tie-break between files taken the same second
  orderByCaptureTime(files);
  return files;
}

WatchedFolder::WatchedFolder(std::string folder) : folder_(std::move(folder)) {}

std::vector<std::string> WatchedFolder::poll() {
  std::error_code ec;
  if (folder_.empty() || !std::filesystem::is_directory(folder_, ec)) return {};
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
  std::filesystem::create_directories(aside, ec);
  auto to = aside / from.filename();
  for (int n = 2; !ec && std::filesystem::exists(to, ec); ++n)
    to = aside / (from.stem().string() + "-" + std::to_string(n) + from.extension().string());
  if (!ec) std::filesystem::rename(from, to, ec);
  seen_.erase(file);
  if (ec) {
    stuck_.insert(file);
    return Status(ErrorCode::kIo, "Could not move " + utf8OrEscaped(file) +
                                      " out of the watched folder (" + ec.message() +
                                      "); take it out by hand");
  }
  return to.string();
}

}  // namespace rx::ws
