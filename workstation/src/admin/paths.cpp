#include "workstation/paths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "data/files.h"
#include "data/store.h"
#include "data/store_lock.h"

namespace rx::ws {

std::string dataFolder() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/')
    return (std::filesystem::path(xdg) / "rxdesk").string();
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = ::getpwuid(::getuid());
    home = pw ? pw->pw_dir : "/tmp";
  }
  return (std::filesystem::path(home) / ".local" / "share" / "rxdesk").string();
}

std::string defaultStorePath() {
  return (std::filesystem::path(dataFolder()) / "store" / "store.rxdb").string();
}
std::string demoStorePath() {
  return (std::filesystem::path(dataFolder()) / "demo" / "demo.rxdb").string();
}
std::string demoFilesFolder() {
  return (std::filesystem::path(dataFolder()) / "demo-files").string();
}

bool ensurePrivateFolder(const std::string& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return false;
  ::chmod(folder.c_str(), 0700);
  return std::filesystem::is_directory(folder);
}

std::string adoptLegacyStore(const std::string& legacyPath, const std::string& path) {
  if (data::fileExists(path) || !data::fileExists(legacyPath)) return path;
  auto alone = data::StoreLock::exclusive(legacyPath, "move the store into a folder of its own");
  if (!alone) return legacyPath;  // in use by an older window: moved at a later start
  if (!ensurePrivateFolder(std::filesystem::path(path).parent_path().string())) return legacyPath;
  std::error_code ec;
  for (const std::string& suffix : {std::string(".keys"), std::string(".attempts"),
                                    std::string("-wal"), std::string("-shm"), std::string()}) {
    if (!std::filesystem::exists(legacyPath + suffix)) continue;
    std::filesystem::rename(legacyPath + suffix, path + suffix, ec);
    if (ec) {
      spdlog::error("could not move {} to {}: {}", legacyPath + suffix, path + suffix,
                    ec.message());
      return data::fileExists(legacyPath) ? legacyPath : path;
    }
  }
  std::filesystem::remove(data::StoreLock::lockPath(legacyPath), ec);
  spdlog::info("moved the store {} into its own folder: {}", legacyPath, path);
  return path;
}

std::string defaultStorePathAdopted() {
  return adoptLegacyStore((std::filesystem::path(dataFolder()) / "store.rxdb").string(),
                          defaultStorePath());
}
std::string demoStorePathAdopted() {
  return adoptLegacyStore((std::filesystem::path(dataFolder()) / "demo.rxdb").string(),
                          demoStorePath());
}

}  // namespace rx::ws
