// Backups of a store: one file holding an online, consistent snapshot of the encrypted database
// and the key-slot file (both still encrypted), with SHA-256 checksums of each part and of the
// whole. Restoring verifies the file, opens the restored store with a user's password and checks
// its integrity before anything is replaced; the old store is kept beside it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "data/store.h"
#include "workstation/session.h"

namespace rx::ws {

struct BackupInfo {
  std::string storeId;
  std::string createdAt;
  std::string createdBy;
  std::uint64_t storeBytes = 0;
  std::uint64_t keysBytes = 0;
};

// Writes a backup of the session's store to `outPath` (atomically; never over an existing file).
// Audited. `progress(done, total)` reports bytes.
Result<BackupInfo> writeBackup(
    Session& session, const std::string& outPath,
    const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

// Checks a backup file's structure and checksums; kCorrupt naming what is wrong.
Result<BackupInfo> checkBackup(const std::string& path);

// Restores `backupPath` over the store at `storePath`: verifies it, extracts it beside the store,
// opens it as `user`, runs an integrity check, and only then moves the current store (and its key
// slots) to `<store>.before-restore-<time>` and puts the restored one in place. `keptAs` receives
// the old store's new name (empty if there was none). Nothing is replaced on any failure.
Result<BackupInfo> restoreBackup(const std::string& backupPath, const std::string& storePath,
                                 const std::string& user, std::string_view password,
                                 data::StoreOptions options, std::string* keptAs);

}  // namespace rx::ws
