#include "workstation/paths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

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
  return (std::filesystem::path(dataFolder()) / "store.rxdb").string();
}
std::string demoStorePath() { return (std::filesystem::path(dataFolder()) / "demo.rxdb").string(); }

bool ensurePrivateFolder(const std::string& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return false;
  ::chmod(folder.c_str(), 0700);
  return std::filesystem::is_directory(folder);
}

}  // namespace rx::ws
