// libFuzzer: the backup reader (header, parts, checksums, trailer) on arbitrary bytes, through an
// in-memory file so nothing touches the disk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "workstation/backup.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = ::memfd_create("rxdesk-fuzz-backup", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) == static_cast<ssize_t>(size))
    (void)rx::ws::checkBackup("/proc/self/fd/" + std::to_string(fd));
  ::close(fd);
  return 0;
}
