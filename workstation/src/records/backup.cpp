#include "workstation/backup.h"

#include "data/settings.h"
#include "workstation/export.h"
#include "workstation/settings.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "backup_internal.h"
#include "base/time.h"
#include "crypto/hash.h"
#include "data/audit.h"
#include "data/chain.h"
#include "data/files.h"

namespace rx::ws {

using backup_internal::createPrivateFile;
using backup_internal::hexDigest;
using backup_internal::kMagic;
using backup_internal::kTrailer;
using nlohmann::json;

namespace {

// Said when a backup was stopped on the user's request.
Status backupCancelled(const std::string& outPath) {
  return Status(ErrorCode::kCancelled,
                "The backup " + outPath + " was cancelled; nothing was written");
}

// The SHA-256 and size of the file at `path`, read in 1 MiB chunks. A stop requested meanwhile
// ends it between two chunks (kCancelled): a large store is not read to the end first.
Status fileSha256(const std::string& path, const std::stop_token& stop, std::string* hex,
                  std::uint64_t* size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kIo, "cannot read " + path);
  crypto::Sha256Stream h;
  std::vector<char> buf(1 << 20);
  *size = 0;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    if (stop.stop_requested()) return Status(ErrorCode::kCancelled, "stopped reading " + path);
    h.update(reinterpret_cast<const std::uint8_t*>(buf.data()),
             static_cast<std::size_t>(in.gcount()));
    *size += static_cast<std::uint64_t>(in.gcount());
  }
  *hex = hexDigest(h);
  return Status::ok();
}

// Takes the snapshot of the store at `snapshot` (the caller removes it again). A stop requested
// meanwhile ends the copy at its next step of a few MiB (Connection::backupTo).
Status takeSnapshot(data::Store& store, const std::string& snapshot, const std::string& outPath,
                    const std::stop_token& stop) {
  data::Store::removeFiles(snapshot);
  Status copied = store.backupDatabase(snapshot, [&] { return stop.stop_requested(); });
  if (copied.code() == ErrorCode::kCancelled || (copied && stop.stop_requested()))
    return backupCancelled(outPath);
  return copied;
}

// Checksums the two parts (`storePart`, `keysPart`) into `info` and returns the header line that
// describes the backup: its store, its maker, each part's size and SHA-256, the audit head.
Result<std::string> checksumParts(const std::string& storePart, const std::string& keysPart,
                                  const std::string& outPath, const std::stop_token& stop,
                                  BackupInfo& info) {
  std::string storeSha, keysSha;
  Status summed = fileSha256(storePart, stop, &storeSha, &info.storeBytes);
  if (summed) summed = fileSha256(keysPart, stop, &keysSha, &info.keysBytes);
  if (summed.code() == ErrorCode::kCancelled) return backupCancelled(outPath);
  RX_RETURN_IF_ERROR(summed);
  json header = {{"format", "rxdesk-backup"},
                 {"version", 1},
                 {"store_id", info.storeId},
                 {"created_at", info.createdAt},
                 {"created_by", info.createdBy},
                 {"store", {{"size", info.storeBytes}, {"sha256", storeSha}}},
                 {"keys", {{"size", info.keysBytes}, {"sha256", keysSha}}}};
  if (info.auditHead)
    header["audit_head"] = {{"seq", info.auditHead->seq},
                            {"hash", crypto::toHex(info.auditHead->hash)}};
  if (info.chainStore) header["chain_store"] = *info.chainStore;
  return std::string(kMagic) + header.dump() + "\n";
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
  if (info.auditHead)
    RX_RETURN_IF_ERROR(settings.put(
        {"backup.last_head",
         std::to_string(info.auditHead->seq) + " " + crypto::toHex(info.auditHead->hash),
         info.createdBy, info.createdAt}));
  RX_RETURN_IF_ERROR(
      session.audit("backup", outPath, {{"bytes", info.storeBytes + info.keysBytes}}).status());
  return tx.commit();
}

// Makes the written `tmp` the backup `outPath`: on disk first, then renamed, unless a stop was
// requested meanwhile (then `tmp` is removed).
Status publishBackup(const std::string& tmp, const std::string& outPath,
                     const std::stop_token& stop) {
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (!stop.stop_requested() && std::rename(tmp.c_str(), outPath.c_str()) == 0) return Status::ok();
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  return stop.stop_requested() ? backupCancelled(outPath)
                               : Status(ErrorCode::kIo, "cannot create " + outPath);
}

// The snapshot, the checksums, the file written beside `outPath` and renamed to it, then checked
// and recorded. A stop is noticed after the snapshot, between chunks of the checksums and of the
// writing, and before the rename; whatever ends it, nothing is left behind.
Result<BackupInfo> writeBackupFile(Session& session, const std::string& outPath,
                                   const BackupProgress& progress, const std::stop_token& stop) {
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
  RX_RETURN_IF_ERROR(takeSnapshot(store, snapshot, outPath, stop));
  BackupInfo info;
  info.storeId = store.storeId();
  info.createdAt = utcTimestamp();
  info.createdBy = session.user().name;
  if (head) info.auditHead = head;
  RX_ASSIGN_OR_RETURN(auto membership, data::ChainRepository(store.connection()).membership());
  if (membership && membership->joined()) info.chainStore = membership->storeCode;
  const std::string keys = data::Store::keySlotPath(store.path());
  RX_ASSIGN_OR_RETURN(std::string headerLine, checksumParts(snapshot, keys, outPath, stop, info));
  const std::string tmp = outPath + ".partial";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  RX_RETURN_IF_ERROR(writeBackupBody(tmp, outPath, headerLine, {snapshot, keys},
                                     info.storeBytes + info.keysBytes, progress, stop));
  data::Store::removeFiles(snapshot);
  RX_RETURN_IF_ERROR(publishBackup(tmp, outPath, stop));
  // A backup that fails its check or cannot be recorded is removed, not left to be trusted later.
  if (Status st = verifyAndRecordBackup(session, outPath, info); !st) {
    std::filesystem::remove(outPath, ec);
    return st.withContext("the backup " + outPath + " was removed again");
  }
  return info;
}

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
  RX_ASSIGN_OR_RETURN(auto head, repo.get("backup.last_head"));
  if (at) st.lastAt = at->value;
  if (file) st.lastFile = file->value;
  if (head) {
    // "<entry> <hash>", as verifyAndRecordBackup writes it.
    const auto space = head->value.find(' ');
    if (space != std::string::npos) {
      st.lastHeadSeq = std::atoll(head->value.substr(0, space).c_str());
      st.lastHeadHash = head->value.substr(space + 1);
    }
  }
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
// Which chain registry a store belongs to is kept in the store, where someone holding the database
// key could make it look as if it never joined, and `audit verify` would then check no registry
// heads. A backup made while it belonged to one says so.
Status checkChainMembership(Session& session, const std::string& file, const BackupInfo& b) {
  if (!b.chainStore) return Status::ok();
  RX_ASSIGN_OR_RETURN(auto m, data::ChainRepository(session.store().connection()).membership());
  if (m && m->joined() && m->storeCode == *b.chainStore) return Status::ok();
  return Status(ErrorCode::kCorrupt,
                "the backup " + file + " of " + b.createdAt +
                    " was made when this store belonged to the chain registry as store '" +
                    *b.chainStore + "', but the store now says " +
                    (m && m->joined() ? "it is store '" + m->storeCode + "'"
                                      : std::string("it has not joined a chain")) +
                    ": its chain membership was changed outside rxdesk, so the heads the "
                    "registry keeps could not be checked. Ask the chain's IT person to list "
                    "this store's heads in the registry");
}
}  // namespace

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
      RX_RETURN_IF_ERROR(checkChainMembership(session, f, b));
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

}  // namespace rx::ws
