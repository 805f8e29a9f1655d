// Restoring a backup in place of a store: made beside it, checked, then swapped in (backup.h).
#include "workstation/backup.h"
#include "workstation/chain.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "backup_internal.h"
#include "base/time.h"
#include "data/carry.h"
#include "data/files.h"
#include "data/store_lock.h"

namespace rx::ws {

namespace {

std::int64_t nowOf(const data::StoreOptions& options) {
  return options.now ? options.now() : std::time(nullptr);
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

// Removes every file under the staging name when the restore ends, whatever its outcome: on a
// failure the half-made store, on success the lock and login counter left behind under that name.
struct RemoveStagingFiles {
  std::string path;
  ~RemoveStagingFiles() { data::Store::removeFiles(path); }
};

// A backup of another store replaces this one only when this computer takes that store over.
Status checkSameStore(const RestoreRequest& r, Session* current, RestoreResult& result) {
  if (!current || result.info.storeId == current->store().storeId()) return Status::ok();
  if (!r.takeOver)
    return Status(ErrorCode::kConflict,
                  r.backupPath + " is a backup of another store (id " + result.info.storeId +
                      "; this store is " + current->store().storeId() +
                      "). Nothing was changed. If this computer takes over that store, restore "
                      "with --take-over");
  result.tookOver = true;
  return Status::ok();
}

// Opens the store extracted to `staging`: it must open with a real user's password (a failure
// counts against `throttle` when no current store took the login) and pass SQLite's integrity
// check.
Result<std::unique_ptr<Session>> openRestored(const RestoreRequest& r, std::string_view password,
                                              const data::StoreOptions& options,
                                              const std::string& staging, bool currentLoggedIn,
                                              data::LoginThrottle& throttle) {
  auto opened = Session::login(staging, r.user, password, options);
  if (!opened) {
    if (!currentLoggedIn && opened.status().code() == ErrorCode::kAuthFailed)
      (void)throttle.recordFailure(r.user, nowOf(options));
    return opened.status().withContext("the restored store does not open");
  }
  std::unique_ptr<Session> restored = std::move(*opened);
  if (!currentLoggedIn)
    RX_RETURN_IF_ERROR(restored->require(data::Role::kAdmin, "restore a backup"));
  auto check = restored->store().connection().integrityCheck();
  if (!check || *check != "ok")
    return Status(ErrorCode::kCorrupt, "the restored store fails its integrity check: " +
                                           (check ? *check : check.status().message()));
  return restored;
}

// Users removed from the current store since the backup are removed from the restored one again
// (re-keyed); those added since are named, for an admin to add again.
Status matchUsers(Session& current, Session& restored, RestoreResult& result) {
  RX_ASSIGN_OR_RETURN(auto now, current.store().users().list(true));
  RX_ASSIGN_OR_RETURN(auto then, restored.store().users().list(true));
  for (const data::UserRecord& u : now) {
    auto was = std::find_if(then.begin(), then.end(),
                            [&](const data::UserRecord& t) { return t.name == u.name; });
    if (was == then.end()) {
      if (!u.removedAt) result.usersNotInBackup.push_back(u.name);
    } else if (u.removedAt && !was->removedAt && !result.tookOver) {
      // (Another store taken over has its own users, whatever their names.)
      RX_RETURN_IF_ERROR(restored.store().takeAlone("remove users removed since the backup"));
      Status removed = restored.removeUser(u.name);
      restored.store().releaseAlone();
      RX_RETURN_IF_ERROR(removed.withContext("removing '" + u.name + "' again"));
      result.usersRemovedAgain.push_back(u.name);
    }
  }
  return Status::ok();
}

// Hand-outs and used numbers of the current store go over, so that a rollback cannot make a
// handed-out prescription usable again.
Status carryOver(Session& current, Session& restored, RestoreResult& result) {
  RX_RETURN_IF_ERROR(restored.store().attach(current.store(), "replaced"));
  auto carried = data::carryHandOuts(restored.store().connection(), "replaced");
  RX_RETURN_IF_ERROR(restored.store().detach("replaced"));
  if (!carried) return carried.status().withContext("carrying hand-outs into the restored store");
  result.carriedUsedNumbers = carried->usedNumbers;
  result.carriedRecords = carried->records;
  result.conflictingRecords = carried->conflicting;
  return matchUsers(current, restored, result);
}

// The restore is audited in the restored store and in the one it replaces.
Status auditRestore(const RestoreRequest& r, const RestoreResult& result, Session& restored,
                    Session* current) {
  const nlohmann::json detail = {
      {"backup", r.backupPath},
      {"backup_created_at", result.info.createdAt},
      {"backup_store_id", result.info.storeId},
      {"took_over", result.tookOver},
      {"replaced_damaged_store", result.currentWasDamaged},
      {"carried_used_numbers", result.carriedUsedNumbers},
      {"carried_records", result.carriedRecords},
      {"conflicting_records", result.conflictingRecords},
      {"users_removed_again", result.usersRemovedAgain},
      {"kept_in_chain", result.keptInChain.has_value()},
      // The chain registry keeps the heads up to here (exchange.cpp).
      {"backup_head_seq", result.info.auditHead ? result.info.auditHead->seq : 0}};
  RX_RETURN_IF_ERROR(restored.audit("store.restore", r.storePath, detail).status());
  if (current)
    RX_RETURN_IF_ERROR(current->audit("store.replaced-by-restore", r.storePath, detail).status());
  return Status::ok();
}

// Both stores folded into their files and closed, then the files change places: the old store
// kept beside as `<store>.before-restore-<time>`.
Status swapStores(const RestoreRequest& r, const std::string& staging, Session& restored,
                  Session* current, RestoreResult& result) {
  RX_RETURN_IF_ERROR(restored.store().takeAlone("finish a restore"));
  RX_RETURN_IF_ERROR(restored.closeForReplacement());
  if (current) RX_RETURN_IF_ERROR(current->closeForReplacement());
  if (data::fileExists(r.storePath)) {
    std::string stamp = utcTimestamp();
    std::replace(stamp.begin(), stamp.end(), ':', '-');
    result.keptAs = r.storePath + ".before-restore-" + stamp;
    RX_RETURN_IF_ERROR(moveStoreFiles(r.storePath, result.keptAs));
  }
  return moveStoreFiles(staging, r.storePath);
}

}  // namespace

Result<RestoreResult> restoreBackup(const RestoreRequest& r, std::string_view password,
                                    data::StoreOptions options) {
  RestoreResult result;
  // A damaged or foreign file is refused before anyone logs in: the store is not touched at all.
  RX_RETURN_IF_ERROR(checkBackup(r.backupPath).status());
  RX_ASSIGN_OR_RETURN(std::unique_ptr<Session> current,
                      loginToCurrent(r, password, options, &result.currentWasDamaged));
  // Without a store to log in to (none yet, or damaged), the store's own login counter throttles
  // the password tried against the backup, and the store is taken alone by its lock file.
  std::optional<data::StoreLock> alone;
  data::LoginThrottle throttle(data::Store::throttlePath(r.storePath));
  if (!current) {
    RX_RETURN_IF_ERROR(throttle.checkAllowed(r.user, nowOf(options)));
    RX_ASSIGN_OR_RETURN(alone, data::StoreLock::exclusive(r.storePath, "restore a backup"));
  }

  const std::string staging = r.storePath + ".restoring";
  data::Store::removeFiles(staging);
  RemoveStagingFiles removeStaging{staging};
  const std::string stagingKeys = data::Store::keySlotPath(staging);
  RX_ASSIGN_OR_RETURN(result.info,
                      backup_internal::verifyAndExtract(r.backupPath, &staging, &stagingKeys));
  RX_RETURN_IF_ERROR(checkSameStore(r, current.get(), result));
  RX_ASSIGN_OR_RETURN(std::unique_ptr<Session> restored,
                      openRestored(r, password, options, staging, current != nullptr, throttle));
  if (current) {
    RX_RETURN_IF_ERROR(carryOver(*current, *restored, result));
    // A backup from before the store joined its chain must not take it out of the chain (another
    // store taken over has a chain membership of its own, or none).
    if (!result.tookOver) {
      RX_ASSIGN_OR_RETURN(result.keptInChain, ChainService(*restored).keepMembershipOf(*current));
    }
  }
  RX_RETURN_IF_ERROR(auditRestore(r, result, *restored, current.get()));
  RX_RETURN_IF_ERROR(swapStores(r, staging, *restored, current.get(), result));
  RX_RETURN_IF_ERROR(data::syncParentFolder(r.storePath));
  return result;
}

}  // namespace rx::ws
