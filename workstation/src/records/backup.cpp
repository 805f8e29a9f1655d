#include "workstation/backup.h"

#include "data/settings.h"
#include "workstation/export.h"
#include "workstation/settings.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/time.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "data/audit.h"
#include "data/carry.h"
#include "data/files.h"
#include "data/store_lock.h"

namespace rx::ws {

using nlohmann::json;

namespace {

constexpr std::string_view kMagic = "RXDESK-BACKUP-1\n";
constexpr std::string_view kTrailer = "RXDESK-END ";

std::string hexDigest(crypto::Sha256Stream& h) { return crypto::toHex(h.finish()); }

Status fileSha256(const std::string& path, std::string* hex, std::uint64_t* size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kIo, "cannot read " + path);
  crypto::Sha256Stream h;
  std::vector<char> buf(1 << 20);
  *size = 0;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    h.update(reinterpret_cast<const std::uint8_t*>(buf.data()),
             static_cast<std::size_t>(in.gcount()));
    *size += static_cast<std::uint64_t>(in.gcount());
  }
  *hex = hexDigest(h);
  return Status::ok();
}

// Moves the store files at `from` (database, its -wal and -shm, key slots) to `to`.
Status moveStoreFiles(const std::string& from, const std::string& to) {
  std::error_code ec;
  for (const char* suffix : {"-wal", "-shm"})
    if (std::filesystem::exists(from + suffix, ec))
      std::filesystem::rename(from + suffix, to + suffix, ec);
  if (!ec)
    std::filesystem::rename(data::Store::keySlotPath(from), data::Store::keySlotPath(to), ec);
  if (!ec) std::filesystem::rename(from, to, ec);
  if (ec) return Status(ErrorCode::kIo, "cannot move " + from + " to " + to + ": " + ec.message());
  return Status::ok();
}

// Creates `path` for writing, owner-only from the first byte, never through a link, never over
// an existing file.
Status createPrivateFile(const std::string& path, std::ofstream& out) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status(errno == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kIo,
                  "cannot create " + path + ": " + std::strerror(errno));
  ::close(fd);
  out.open(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(ErrorCode::kIo, "cannot write " + path);
  return Status::ok();
}

// Parsed layout of a backup file.
struct Layout {
  BackupInfo info;
  std::uint64_t dataOffset = 0;  // where the store bytes start
  std::string storeSha, keysSha;
};

Result<Layout> readLayout(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot open the backup " + path);
  std::string magic(kMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (magic != kMagic)
    return Status(ErrorCode::kCorrupt, path + " is not an rxdesk backup (bad header)");
  // Read up to the newline, but no further than a header can be: a file without one must not
  // make the reader take memory up to its size.
  constexpr std::size_t kMaxHeader = 65536;
  std::string headerLine;
  bool ended = false;
  for (char c; headerLine.size() <= kMaxHeader && in.get(c);) {
    if (c == '\n') {
      ended = true;
      break;
    }
    headerLine.push_back(c);
  }
  if (!ended)
    return Status(ErrorCode::kCorrupt, path + ": the backup header is missing or damaged");
  auto header = crypto::parseStrictJson(headerLine, path + " header", {65536, 4});
  if (!header || !header->is_object() || header->value("format", "") != "rxdesk-backup")
    return Status(ErrorCode::kCorrupt, path + ": the backup header is damaged");
  Layout l;
  try {
    l.info.storeId = header->at("store_id").get<std::string>();
    l.info.createdAt = header->at("created_at").get<std::string>();
    l.info.createdBy = header->at("created_by").get<std::string>();
    l.storeSha = header->at("store").at("sha256").get<std::string>();
    l.keysSha = header->at("keys").at("sha256").get<std::string>();
  } catch (const json::exception&) {
    return Status(ErrorCode::kCorrupt, path + ": the backup header lacks a field");
  }
  // Sizes must be whole non-negative numbers: a float such as 1e300 converted to an integer is
  // undefined behaviour (found by fuzz_backup).
  const auto storeSize = crypto::unsignedOr(crypto::memberOrNull(*header, "store"), "size");
  const auto keysSize = crypto::unsignedOr(crypto::memberOrNull(*header, "keys"), "size");
  if (!storeSize || !keysSize)
    return Status(ErrorCode::kCorrupt,
                  path + ": the backup header's part sizes must be whole numbers of bytes");
  l.info.storeBytes = *storeSize;
  l.info.keysBytes = *keysSize;
  if (const json& head = crypto::memberOrNull(*header, "audit_head"); !head.is_null()) {
    const auto seq = crypto::unsignedOr(head, "seq");
    auto hash = crypto::fromHex(crypto::textOr(head, "hash"));
    if (!seq || !hash || hash->size() != 32)
      return Status(ErrorCode::kCorrupt, path + ": the backup header's audit head is damaged");
    data::AuditAnchor anchor;
    anchor.seq = static_cast<std::int64_t>(*seq);
    std::copy(hash->begin(), hash->end(), anchor.hash.begin());
    anchor.source = "the backup " + path + " of " + l.info.createdAt;
    l.info.auditHead = anchor;
  }
  l.dataOffset = kMagic.size() + headerLine.size() + 1;
  return l;
}

// Streams `size` bytes from `in` to `out` (may be null), hashing them into `h` and `whole`.
Status copyPart(std::ifstream& in, std::uint64_t size, std::ofstream* out, crypto::Sha256Stream& h,
                crypto::Sha256Stream& whole) {
  std::vector<char> buf(1 << 20);
  while (size > 0) {
    const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(size, buf.size()));
    if (!in.read(buf.data(), n)) return Status(ErrorCode::kCorrupt, "the backup is truncated");
    h.update(reinterpret_cast<const std::uint8_t*>(buf.data()), static_cast<std::size_t>(n));
    whole.update(reinterpret_cast<const std::uint8_t*>(buf.data()), static_cast<std::size_t>(n));
    if (out && !out->write(buf.data(), n))
      return Status(ErrorCode::kIo, "cannot write while extracting the backup");
    size -= static_cast<std::uint64_t>(n);
  }
  return Status::ok();
}

// Verifies `path` fully; when `storeOut`/`keysOut` are given, also extracts the two parts.
Result<BackupInfo> verifyAndExtract(const std::string& path, const std::string* storeOut,
                                    const std::string* keysOut) {
  RX_ASSIGN_OR_RETURN(Layout l, readLayout(path));
  std::ifstream in(path, std::ios::binary);
  crypto::Sha256Stream whole, storeHash, keysHash;
  std::string prefix(l.dataOffset, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  whole.update(reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size());
  std::ofstream storeFile, keysFile;
  if (storeOut) RX_RETURN_IF_ERROR(createPrivateFile(*storeOut, storeFile));
  if (keysOut) RX_RETURN_IF_ERROR(createPrivateFile(*keysOut, keysFile));
  RX_RETURN_IF_ERROR(
      copyPart(in, l.info.storeBytes, storeOut ? &storeFile : nullptr, storeHash, whole)
          .withContext(path));
  RX_RETURN_IF_ERROR(copyPart(in, l.info.keysBytes, keysOut ? &keysFile : nullptr, keysHash, whole)
                         .withContext(path));
  std::string trailer;
  std::getline(in, trailer);
  const std::string expectWhole = hexDigest(whole);
  if (trailer.rfind(std::string(kTrailer), 0) != 0 || trailer.size() != kTrailer.size() + 64)
    return Status(ErrorCode::kCorrupt, path + ": the backup is truncated (no complete end marker)");
  if (trailer.substr(kTrailer.size()) != expectWhole)
    return Status(
        ErrorCode::kCorrupt,
        path + ": the backup's checksum does not match (the file was altered or damaged)");
  if (hexDigest(storeHash) != l.storeSha || hexDigest(keysHash) != l.keysSha)
    return Status(ErrorCode::kCorrupt, path + ": a part of the backup does not match its checksum");
  if (storeOut) {
    storeFile.flush();
    if (!storeFile) return Status(ErrorCode::kIo, "cannot write " + *storeOut);
  }
  return l.info;
}

}  // namespace

namespace {
Result<BackupInfo> writeBackupFile(
    Session& session, const std::string& outPath,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress, const std::stop_token& stop);
}  // namespace

Result<BackupInfo> writeBackup(Session& session, const std::string& outPath,
                               const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                               std::stop_token stop) {
  RX_RETURN_IF_ERROR(
      session.requireAnyOf({data::Role::kAdmin, data::Role::kSupervisor}, "make backups"));
  return writeBackupFile(session, outPath, progress, stop);
}

Result<BackupStatus> backupStatus(Session& session, const std::string& now) {
  BackupStatus st;
  SettingsService settings(session);
  RX_ASSIGN_OR_RETURN(auto folder, settings.get("backup.folder"));
  RX_ASSIGN_OR_RETURN(auto warn, settings.get("backup.warn_after_days"));
  st.folder = folder.value;
  st.warnAfterDays = std::stoi(warn.value);
  data::SettingsRepository repo(session.store().connection());
  RX_ASSIGN_OR_RETURN(auto at, repo.get("backup.last_at"));
  RX_ASSIGN_OR_RETURN(auto file, repo.get("backup.last_file"));
  if (at) st.lastAt = at->value;
  if (file) st.lastFile = file->value;
  if (st.lastAt) {
    auto last = toDays(datePart(chinaTime(*st.lastAt)));
    auto today = toDays(datePart(chinaTime(now)));
    if (last && today) st.ageDays = static_cast<int>((*today - *last).count());
  }
  st.stale = !st.ageDays || *st.ageDays > st.warnAfterDays;
  return st;
}

Result<StoreCheck> checkStore(
    Session& session, const std::function<void(const std::string&)>& stage,
    const std::function<void(std::int64_t, std::int64_t)>& auditProgress) {
  RX_RETURN_IF_ERROR(
      session.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin}, "check the store"));
  auto say = [&](const std::string& text) {
    if (stage) stage(text);
  };
  data::Connection& conn = session.store().connection();
  StoreCheck check;
  say("1/3 page authentication codes");
  RX_ASSIGN_OR_RETURN(check.pageFailures, conn.pageAuthenticationFailures());
  say("2/3 database structure");
  if (check.pageFailures.empty()) {
    RX_ASSIGN_OR_RETURN(check.structure, conn.integrityCheck());
  } else {
    check.structure = "not checked: pages are damaged";
  }
  say("3/3 audit chain");
  if (check.pageFailures.empty()) {
    RX_ASSIGN_OR_RETURN(check.audit, data::AuditLog(conn).verify(auditProgress));
  }
  auto entry = session.audit("store.check", "store",
                             {{"ok", check.ok()},
                              {"damaged_pages", check.pageFailures.size()},
                              {"structure", check.structure}});
  // On a damaged store the entry may not be writable; the finding matters more than its record.
  if (!entry && check.ok()) return entry.status();
  return check;
}

Result<std::optional<std::string>> runScheduledBackup(
    Session& session, const std::function<void(std::uint64_t, std::uint64_t)>& progress,
    const std::string& now, std::stop_token stop) {
  RX_ASSIGN_OR_RETURN(BackupStatus st, backupStatus(session, now));
  if (st.folder.empty()) return std::optional<std::string>();
  std::error_code ec;
  if (!std::filesystem::is_directory(st.folder, ec))
    return Status(ErrorCode::kIo,
                  "the backup folder " + st.folder + " is not there (is the USB disk plugged in?)");
  const std::string file =
      (std::filesystem::path(st.folder) / ("rxdesk-" + session.store().storeId().substr(0, 8) +
                                           "-" + datePart(chinaTime(now)) + ".rxbak"))
          .string();
  if (data::fileExists(file)) return std::optional<std::string>();
  RX_RETURN_IF_ERROR(writeBackupFile(session, file, progress, stop).status());
  return std::optional<std::string>(file);
}

namespace {

// Said when a backup was stopped on the user's request.
Status backupCancelled(const std::string& outPath) {
  return Status(ErrorCode::kCancelled,
                "The backup " + outPath + " was cancelled; nothing was written");
}

// Writes the backup file `tmp`: the header line, the store's snapshot and its key slots, the
// trailer with the whole file's SHA-256. On failure or cancellation `tmp` is removed.
Status writeBackupBody(const std::string& tmp, const std::string& outPath,
                       const std::string& headerLine, const std::vector<std::string>& parts,
                       std::uint64_t total,
                       const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                       const std::stop_token& stop) {
  std::ofstream out;
  std::error_code ec;
  if (Status created = createPrivateFile(tmp, out); !created) {
    std::filesystem::remove(tmp, ec);
    return created;
  }
  crypto::Sha256Stream whole;
  auto put = [&](const std::string& bytes) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    whole.update(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  };
  put(headerLine);
  std::uint64_t done = 0;
  std::vector<char> buf(1 << 20);
  for (const std::string& part : parts) {
    std::ifstream in(part, std::ios::binary);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
      if (stop.stop_requested()) {
        out.close();
        std::filesystem::remove(tmp, ec);
        return backupCancelled(outPath);
      }
      put(std::string(buf.data(), static_cast<std::size_t>(in.gcount())));
      done += static_cast<std::uint64_t>(in.gcount());
      if (progress) progress(done, total);
    }
  }
  const std::string trailer = std::string(kTrailer) + hexDigest(whole) + "\n";
  out.write(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  out.flush();
  if (out) return Status();
  const int err = errno;
  out.close();
  std::filesystem::remove(tmp, ec);
  return Status(ErrorCode::kIo,
                "writing the backup " + tmp + " failed: " +
                    (err == ENOSPC || err == EFBIG || err == EDQUOT
                         ? std::string("the disk is full (or a file size limit was reached)")
                         : std::string("the disk reported an error (") + std::strerror(err) + ")") +
                    "; nothing was kept. Free space or use another disk and try again");
}

// The backup is verified once written, so a bad disk is noticed now rather than at restore time,
// and recorded (audited) in the store.
Status verifyAndRecordBackup(Session& session, const std::string& outPath, const BackupInfo& info) {
  RX_RETURN_IF_ERROR(data::syncParentFolder(outPath));
  RX_RETURN_IF_ERROR(checkBackup(outPath).status());
  auto& conn = session.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  data::SettingsRepository settings(conn);
  RX_RETURN_IF_ERROR(
      settings.put({"backup.last_at", info.createdAt, info.createdBy, info.createdAt}));
  RX_RETURN_IF_ERROR(settings.put({"backup.last_file", outPath, info.createdBy, info.createdAt}));
  RX_RETURN_IF_ERROR(
      session.audit("backup", outPath, {{"bytes", info.storeBytes + info.keysBytes}}).status());
  return tx.commit();
}

Result<BackupInfo> writeBackupFile(
    Session& session, const std::string& outPath,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress,
    const std::stop_token& stop) {
  if (data::fileExists(outPath))
    return Status(ErrorCode::kAlreadyExists, outPath + " already exists; choose a new name");
  if (stop.stop_requested()) return backupCancelled(outPath);
  data::Store& store = session.store();
  // The chain's head now, kept in the header: the snapshot taken next holds at least this entry.
  RX_ASSIGN_OR_RETURN(auto head, data::AuditLog(store.connection()).head());
  const std::string snapshot = outPath + ".snapshot";
  struct RemoveSnapshot {
    const std::string& path;
    ~RemoveSnapshot() { data::Store::removeFiles(path); }
  } removeSnapshot{snapshot};
  data::Store::removeFiles(snapshot);
  RX_RETURN_IF_ERROR(store.backupDatabase(snapshot));
  BackupInfo info;
  info.storeId = store.storeId();
  info.createdAt = utcTimestamp();
  info.createdBy = session.user().name;
  std::string storeSha, keysSha;
  RX_RETURN_IF_ERROR(fileSha256(snapshot, &storeSha, &info.storeBytes));
  RX_RETURN_IF_ERROR(fileSha256(data::Store::keySlotPath(store.path()), &keysSha, &info.keysBytes));
  json header = {{"format", "rxdesk-backup"},
                 {"version", 1},
                 {"store_id", info.storeId},
                 {"created_at", info.createdAt},
                 {"created_by", info.createdBy},
                 {"store", {{"size", info.storeBytes}, {"sha256", storeSha}}},
                 {"keys", {{"size", info.keysBytes}, {"sha256", keysSha}}}};
  if (head) {
    header["audit_head"] = {{"seq", head->seq}, {"hash", crypto::toHex(head->hash)}};
    info.auditHead = head;
  }
  const std::string tmp = outPath + ".partial";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  RX_RETURN_IF_ERROR(writeBackupBody(tmp, outPath, std::string(kMagic) + header.dump() + "\n",
                                     {snapshot, data::Store::keySlotPath(store.path())},
                                     info.storeBytes + info.keysBytes, progress, stop));
  data::Store::removeFiles(snapshot);
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (stop.stop_requested() || std::rename(tmp.c_str(), outPath.c_str()) != 0) {
    std::filesystem::remove(tmp, ec);
    return stop.stop_requested() ? backupCancelled(outPath)
                                 : Status(ErrorCode::kIo, "cannot create " + outPath);
  }
  // A backup that fails its check or cannot be recorded is removed, not left to be trusted later.
  if (Status st = verifyAndRecordBackup(session, outPath, info); !st) {
    std::filesystem::remove(outPath, ec);
    return st.withContext("the backup " + outPath + " was removed again");
  }
  return info;
}
}  // namespace

Result<BackupInfo> checkBackup(const std::string& path) {
  return verifyAndExtract(path, nullptr, nullptr);
}

Result<std::vector<data::AuditAnchor>> auditAnchors(Session& session,
                                                    const std::vector<std::string>& files) {
  std::vector<std::string> sources = files;
  if (sources.empty()) {
    data::SettingsRepository repo(session.store().connection());
    RX_ASSIGN_OR_RETURN(auto last, repo.get("backup.last_file"));
    if (last && data::fileExists(last->value)) sources.push_back(last->value);
  }
  std::vector<data::AuditAnchor> anchors;
  for (const std::string& f : sources) {
    std::error_code ec;
    std::string storeId;
    std::optional<data::AuditAnchor> head;
    if (std::filesystem::is_directory(f, ec)) {
      RX_ASSIGN_OR_RETURN(ExportCheck e, verifyExport(f));
      storeId = e.storeId;
      head = e.auditHead;
    } else {
      RX_ASSIGN_OR_RETURN(BackupInfo b, checkBackup(f));
      storeId = b.storeId;
      head = b.auditHead;
    }
    if (storeId != session.store().storeId())
      return Status(ErrorCode::kConflict, f + " is of another store (id " + storeId + ")");
    if (!head)
      return Status(ErrorCode::kNotFound,
                    f + " keeps no audit head (made by an older rxdesk); name a newer one");
    anchors.push_back(*head);
  }
  return anchors;
}

namespace {

// Logs in to the store being replaced; nullptr (and `damaged`) when it is damaged and the admin
// said to replace it anyway.
Result<std::unique_ptr<Session>> loginToCurrent(const RestoreRequest& r, std::string_view password,
                                                const data::StoreOptions& options, bool* damaged) {
  *damaged = false;
  if (!data::fileExists(r.storePath)) return std::unique_ptr<Session>();
  auto current = Session::login(r.storePath, r.user, password, options);
  if (current) {
    RX_RETURN_IF_ERROR((*current)->require(data::Role::kAdmin, "restore a backup"));
    RX_RETURN_IF_ERROR((*current)->store().takeAlone("restore a backup"));
    return current;
  }
  const ErrorCode code = current.status().code();
  if (code != ErrorCode::kCorrupt) return current.status();
  if (!r.replaceDamaged)
    return current.status().withContext(
        "the store to be replaced does not open; if it is damaged and this backup is to replace "
        "it without carrying its hand-outs over, restore with --replace-damaged");
  *damaged = true;
  return std::unique_ptr<Session>();
}

}  // namespace

Result<RestoreResult> restoreBackup(const RestoreRequest& r, std::string_view password,
                                    data::StoreOptions options) {
  RestoreResult result;
  // A damaged or foreign file is refused before anyone logs in: the store is not touched at all.
  RX_RETURN_IF_ERROR(checkBackup(r.backupPath).status());
  bool damaged = false;
  RX_ASSIGN_OR_RETURN(std::unique_ptr<Session> current,
                      loginToCurrent(r, password, options, &damaged));
  result.currentWasDamaged = damaged;
  // Without a store to log in to (none yet, or damaged), the store's own login counter throttles
  // the password tried against the backup, and the store is taken alone by its lock file.
  std::optional<data::StoreLock> alone;
  data::LoginThrottle throttle(data::Store::throttlePath(r.storePath));
  if (!current) {
    RX_RETURN_IF_ERROR(
        throttle.checkAllowed(r.user, options.now ? options.now() : std::time(nullptr)));
    RX_ASSIGN_OR_RETURN(alone, data::StoreLock::exclusive(r.storePath, "restore a backup"));
  }

  const std::string staging = r.storePath + ".restoring";
  data::Store::removeFiles(staging);
  struct Cleanup {
    std::string path;
    bool armed = true;
    ~Cleanup() {
      if (armed) data::Store::removeFiles(path);
    }
  } cleanup{staging};
  const std::string stagingKeys = data::Store::keySlotPath(staging);
  RX_ASSIGN_OR_RETURN(result.info, verifyAndExtract(r.backupPath, &staging, &stagingKeys));
  if (current && result.info.storeId != current->store().storeId()) {
    if (!r.takeOver)
      return Status(ErrorCode::kConflict,
                    r.backupPath + " is a backup of another store (id " + result.info.storeId +
                        "; this store is " + current->store().storeId() +
                        "). Nothing was changed. If this computer takes over that store, restore "
                        "with --take-over");
    result.tookOver = true;
  }

  std::unique_ptr<Session> restored;
  {
    // It must open with a real user's password and pass SQLite's integrity check.
    auto opened = Session::login(staging, r.user, password, options);
    if (!opened) {
      if (!current && opened.status().code() == ErrorCode::kAuthFailed)
        (void)throttle.recordFailure(r.user, options.now ? options.now() : std::time(nullptr));
      return opened.status().withContext("the restored store does not open");
    }
    restored = std::move(*opened);
    if (!current) RX_RETURN_IF_ERROR(restored->require(data::Role::kAdmin, "restore a backup"));
    auto check = restored->store().connection().integrityCheck();
    if (!check || *check != "ok")
      return Status(ErrorCode::kCorrupt, "the restored store fails its integrity check: " +
                                             (check ? *check : check.status().message()));
  }

  if (current) {
    // Hand-outs and used numbers of the current store go over; users removed since stay removed.
    RX_RETURN_IF_ERROR(restored->store().attach(current->store(), "replaced"));
    auto carried = data::carryHandOuts(restored->store().connection(), "replaced");
    RX_RETURN_IF_ERROR(restored->store().detach("replaced"));
    if (!carried) return carried.status().withContext("carrying hand-outs into the restored store");
    result.carriedUsedNumbers = carried->usedNumbers;
    result.carriedRecords = carried->records;
    result.conflictingRecords = carried->conflicting;
    RX_ASSIGN_OR_RETURN(auto now, current->store().users().list(true));
    RX_ASSIGN_OR_RETURN(auto then, restored->store().users().list(true));
    for (const data::UserRecord& u : now) {
      auto was = std::find_if(then.begin(), then.end(),
                              [&](const data::UserRecord& t) { return t.name == u.name; });
      if (was == then.end()) {
        if (!u.removedAt) result.usersNotInBackup.push_back(u.name);
      } else if (u.removedAt && !was->removedAt && !result.tookOver) {
        // (Another store taken over has its own users, whatever their names.)
        RX_RETURN_IF_ERROR(restored->store().takeAlone("remove users removed since the backup"));
        Status removed = restored->removeUser(u.name);
        restored->store().releaseAlone();
        RX_RETURN_IF_ERROR(removed.withContext("removing '" + u.name + "' again"));
        result.usersRemovedAgain.push_back(u.name);
      }
    }
  }
  const nlohmann::json detail = {{"backup", r.backupPath},
                                 {"backup_created_at", result.info.createdAt},
                                 {"backup_store_id", result.info.storeId},
                                 {"took_over", result.tookOver},
                                 {"replaced_damaged_store", damaged},
                                 {"carried_used_numbers", result.carriedUsedNumbers},
                                 {"carried_records", result.carriedRecords},
                                 {"conflicting_records", result.conflictingRecords},
                                 {"users_removed_again", result.usersRemovedAgain}};
  RX_RETURN_IF_ERROR(restored->audit("store.restore", r.storePath, detail).status());
  if (current)
    RX_RETURN_IF_ERROR(current->audit("store.replaced-by-restore", r.storePath, detail).status());

  // Both stores folded into their files and closed, then the files change places.
  RX_RETURN_IF_ERROR(restored->store().takeAlone("finish a restore"));
  RX_RETURN_IF_ERROR(restored->closeForReplacement());
  if (current) RX_RETURN_IF_ERROR(current->closeForReplacement());
  if (data::fileExists(r.storePath)) {
    std::string stamp = utcTimestamp();
    std::replace(stamp.begin(), stamp.end(), ':', '-');
    result.keptAs = r.storePath + ".before-restore-" + stamp;
    RX_RETURN_IF_ERROR(moveStoreFiles(r.storePath, result.keptAs));
  }
  RX_RETURN_IF_ERROR(moveStoreFiles(staging, r.storePath));
  cleanup.armed = true;  // the staging name's lock and login counter
  RX_RETURN_IF_ERROR(data::syncParentFolder(r.storePath));
  return result;
}

}  // namespace rx::ws
