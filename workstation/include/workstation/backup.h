// Backups of a store: one file holding an online, consistent snapshot of the encrypted database
// and the key-slot file (both still encrypted), with SHA-256 checksums of each part and of the
// whole. Restoring verifies the file, opens the restored store with a user's password and checks
// its integrity before anything is replaced; the old store is kept beside it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "base/time.h"
#include "data/audit.h"
#include "data/store.h"
#include "workstation/session.h"

namespace rx::ws {

struct BackupInfo {
  std::string storeId;
  std::string createdAt;
  std::string createdBy;
  std::uint64_t storeBytes = 0;
  std::uint64_t keysBytes = 0;
  // The audit chain's head when the backup was made (backups before it was recorded have none):
  // an anchor outside the store that `audit verify` checks the chain against.
  std::optional<data::AuditAnchor> auditHead;
  // The store's code in the chain registry when the backup was made, if it had joined one: a store
  // that later says it never joined was changed outside rxdesk (`audit verify` refuses it).
  std::optional<std::string> chainStore;
};

// `progress(done, total)` in bytes.
using BackupProgress = std::function<void(std::uint64_t, std::uint64_t)>;

// Writes a backup of the session's store to `outPath` (atomically; never over an existing file).
// Audited. `progress(done, total)` reports bytes. A stop requested through `stop` ends it with
// kCancelled and nothing left behind (no file, no partial file, no snapshot).
Result<BackupInfo> writeBackup(
    Session& session, const std::string& outPath,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress = {},
    std::stop_token stop = {});

// The daily backup an admin schedules (settings backup.folder, backup.warn_after_days).
struct BackupStatus {
  std::string folder;                 // empty: no scheduled backup
  std::optional<std::string> lastAt;  // UTC time of the last backup of this store, any kind
  std::optional<std::string> lastFile;
  // The audit log's head the last backup recorded (entry number, hash in hex), shown so that a
  // supervisor can note it and compare (docs/records.md).
  std::optional<std::int64_t> lastHeadSeq;
  std::string lastHeadHash;
  std::optional<int> ageDays;  // whole days since, in Beijing time
  int warnAfterDays = 2;
  bool stale = true;  // no backup, or older than warnAfterDays
};
Result<BackupStatus> backupStatus(Session& session, const std::string& now = utcTimestamp());

// Writes today's backup (`rxdesk-<store>-<YYYY-MM-DD>.rxbak`, Beijing date) into the scheduled
// folder unless it is there already. Any signed-in user may run it: the admin chose where it goes,
// and the file is encrypted. Returns the file written, or nothing when no backup was due (no folder
// set, or today's exists). A missing folder (the USB disk not plugged in) is an error naming it.
// `stop` as for writeBackup (the next check writes it again).
Result<std::optional<std::string>> runScheduledBackup(
    Session& session, const std::function<void(std::uint64_t, std::uint64_t)>& progress = {},
    const std::string& now = utcTimestamp(), std::stop_token stop = {});

// A full check of the open store (supervisor, admin; audited): every page's authentication code,
// the database structure (integrity_check) and the audit chain. Reads the whole file: seconds on a
// large store, so `stage(text)` names each of the three steps as it starts and the audit step
// reports entries. Damage is in the result, not an error.
struct StoreCheck {
  std::vector<std::string> pageFailures;  // pages whose authentication code fails
  std::string structure;                  // "ok", or what integrity_check found
  data::AuditReport audit;
  bool ok() const { return pageFailures.empty() && structure == "ok" && !audit.problem; }
};
Result<StoreCheck> checkStore(
    Session& session, const std::function<void(const std::string&)>& stage = {},
    const std::function<void(std::int64_t, std::int64_t)>& auditProgress = {});

// Checks a backup file's structure and checksums; kCorrupt naming what is wrong.
Result<BackupInfo> checkBackup(const std::string& path);

// The audit anchors kept outside the store in `files` (backups of this store, or export folders
// of it), each checked first; kConflict for another store's. With none given, the last backup
// rxdesk made (setting backup.last_file) when it is still there.
Result<std::vector<data::AuditAnchor>> auditAnchors(Session& session,
                                                    const std::vector<std::string>& files);

// Restoring a backup in place of the store at `storePath` — an admin action, throttled like a
// login, audited in both stores, and done with the store taken alone:
//  - `user` logs in to the current store (wrong passwords count, removed users are refused) and
//    must be an admin there; kBusy naming the programs that have the store open;
//  - the backup must be of this store, unless `takeOver` (this computer takes over another
//    store); when the current store is damaged and cannot be opened, only with `replaceDamaged`
//    (then `user` must be an admin in the backup, and nothing can be carried over);
//  - every prescription handed out in the current store, and every used number, is carried into
//    the restored one (data/carry.h), so a rollback cannot make a handed-out prescription usable;
//  - users removed from the current store are removed from the restored one too (re-keyed),
//    unless the backup is of another store taken over;
//  - files are 0600; the old store is kept beside it as `<store>.before-restore-<time>`.
// Nothing is replaced on any failure.
struct RestoreRequest {
  std::string backupPath;
  std::string storePath;
  std::string user;
  bool takeOver = false;
  bool replaceDamaged = false;
};
struct RestoreResult {
  BackupInfo info;
  std::string keptAs;  // the old store's new name (empty if there was none)
  bool tookOver = false;
  int carriedUsedNumbers = 0;
  std::vector<std::int64_t> carriedRecords;
  std::vector<std::int64_t> conflictingRecords;  // same id, another prescription: not carried
  std::vector<std::string> usersRemovedAgain;    // removed since the backup was made
  std::vector<std::string> usersNotInBackup;     // added since: an admin adds them again
  bool currentWasDamaged = false;
  // The backup was made before the store joined its chain: it stays in the chain as this store
  // (ChainService::keepMembershipOf), with this many presentations queued to be sent again.
  std::optional<int> keptInChain;
};
Result<RestoreResult> restoreBackup(const RestoreRequest& request, std::string_view password,
                                    data::StoreOptions options = {});

}  // namespace rx::ws
