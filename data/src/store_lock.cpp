#include "data/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace rx::data {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

std::string programName(long pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  if (name.empty()) name = "another program";
  if (pid == static_cast<long>(::getpid())) name = "this program";
  return name + " (pid " + std::to_string(pid) + ")";
}

// What the process that has the store alone wrote into the lock file: "<pid> <action>".
std::string exclusiveHolder(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "another program";
  std::istringstream in(std::string(buf, static_cast<std::size_t>(n)));
  long pid = 0;
  std::string action;
  in >> pid;
  std::getline(in >> std::ws, action);
  if (pid <= 0) return "another program";
  return programName(pid) + (action.empty() ? "" : ", which is busy to " + action);
}

// Says in the lock file who has the store alone and why, for the programs waiting to open it.
void writeHolderNote(int fd, std::string_view action) {
  const std::string note = std::to_string(::getpid()) + " " + std::string(action) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, note.data(), note.size(), 0);
}

// Empties the note when the store is no longer had alone. Best effort, as writing it is: the note
// is read only while a program has the store alone, and that program wrote its own note.
void clearHolderNote(int fd) { (void)!::ftruncate(fd, 0); }

// The refusal of an operation that needs the store alone, naming who has it open.
Status openElsewhere(std::string_view action, const std::string& storePath,
                     const std::vector<std::string>& holders) {
  std::string who;
  for (const std::string& h : holders) who += (who.empty() ? "" : ", ") + h;
  return Status(ErrorCode::kBusy, "cannot " + std::string(action) + ": " + storePath +
                                      " is open in " +
                                      (who.empty() ? std::string("another program") : who) +
                                      " on this computer; close it first");
}

Result<int> openLockFile(const std::string& storePath) {
  const std::string path = StoreLock::lockPath(storePath);
  // Non-blocking and no symlinks: a FIFO or a link planted under this name must not hang or
  // redirect the open.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd < 0) {
    const int err = errno;
    return Status(ErrorCode::kIo,
                  "cannot open the store's lock file " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status(ErrorCode::kCorrupt, path +
                                           " is not a regular file; remove it (rxdesk makes it "
                                           "again when the store is opened)");
  }
  return fd;
}

}  // namespace

Result<StoreLock> StoreLock::shared(const std::string& storePath, std::chrono::milliseconds wait) {
  RX_ASSIGN_OR_RETURN(int fd, openLockFile(storePath));
  StoreLock lock(fd, storePath);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) return lock;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return Status(ErrorCode::kIo,
                    "cannot lock " + lockPath(storePath) + ": " + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline)
      return Status(ErrorCode::kBusy, storePath + " is in use by " + exclusiveHolder(fd) +
                                          "; try again when it is done");
    std::this_thread::sleep_for(kPollInterval);
  }
}

Result<StoreLock> StoreLock::exclusive(const std::string& storePath, std::string_view action) {
  RX_ASSIGN_OR_RETURN(int fd, openLockFile(storePath));
  StoreLock lock(fd, storePath);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    return openElsewhere(action, storePath, otherHolders(storePath));
  lock.exclusive_ = true;
  writeHolderNote(fd, action);
  return lock;
}

StoreLock::StoreLock(StoreLock&& other) noexcept
    : fd_(other.fd_), storePath_(std::move(other.storePath_)), exclusive_(other.exclusive_) {
  other.fd_ = -1;
}

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    storePath_ = std::move(other.storePath_);
    exclusive_ = other.exclusive_;
    other.fd_ = -1;
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (fd_ < 0) return;
  if (exclusive_) clearHolderNote(fd_);
  ::close(fd_);  // releases the flock
}

Status StoreLock::makeExclusive(std::string_view action) {
  if (exclusive_) return Status::ok();
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) {
    exclusive_ = true;
    writeHolderNote(fd_, action);
    return Status::ok();
  }
  // A refused conversion may have dropped the shared hold (flock(2): conversion is not atomic):
  // name the holders first, while ours is not among them, then take the shared hold back.
  std::vector<std::string> holders = otherHolders(storePath_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (::flock(fd_, LOCK_SH | LOCK_NB) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(kPollInterval);
  return openElsewhere(action, storePath_, holders);
}

void StoreLock::makeShared() {
  if (!exclusive_) return;
  clearHolderNote(fd_);
  (void)::flock(fd_, LOCK_SH);  // a downgrade never waits: nobody else can hold it
  exclusive_ = false;
}

std::vector<std::string> StoreLock::otherHolders(const std::string& storePath) {
  std::vector<std::string> out;
  struct stat st {};
  if (::stat(lockPath(storePath).c_str(), &st) != 0) return out;
  // Lines such as "3: FLOCK  ADVISORY  READ  4242 00:2f:1183 0 EOF"; "->" marks a waiter.
  std::ifstream locks("/proc/locks");
  std::string line;
  // Overlay and some network file systems show another device number for the file than stat()
  // does: holders matched by inode alone count when none match by device and inode.
  std::vector<long> exact, byInode;
  auto add = [](std::vector<long>& list, long pid) {
    for (long p : list)
      if (p == pid) return;
    list.push_back(pid);
  };
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string number, type, advisory, mode, device;
    long pid = 0;
    in >> number >> type;
    if (type != "FLOCK") continue;  // "->" marks a waiter, not a holder
    in >> advisory >> mode >> pid >> device;
    unsigned devMajor = 0, devMinor = 0;
    unsigned long long inode = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%llu", &devMajor, &devMinor, &inode) != 3) continue;
    if (inode != static_cast<unsigned long long>(st.st_ino)) continue;
    add(byInode, pid);
    if (devMajor == ::major(st.st_dev) && devMinor == ::minor(st.st_dev)) add(exact, pid);
  }
  const std::vector<long>& pids = exact.empty() ? byInode : exact;
  for (long pid : pids) out.push_back(programName(pid));
  return out;
}

}  // namespace rx::data
