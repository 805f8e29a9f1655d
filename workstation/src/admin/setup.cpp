#include "workstation/setup.h"

#include <chrono>
#include <filesystem>

#include "base/time.h"
#include "data/files.h"
#include "workstation/identifiers.h"
#include "workstation/paths.h"

namespace rx::ws {

Status validateSetup(const PharmacySetup& s) {
  if (!s.pharmacy.uscc.empty() && !isValidUscc(s.pharmacy.uscc))
    return Status(ErrorCode::kInvalidArgument,
                  "统一社会信用代码 '" + s.pharmacy.uscc +
                      "' is not 18 characters with a valid check character (GB 32100-2015)");
  if (s.idleLockMinutes < 1 || s.idleLockMinutes > 240)
    return Status(ErrorCode::kInvalidArgument, "the idle lock must be 1 to 240 minutes, not " +
                                                   std::to_string(s.idleLockMinutes));
  if (s.pharmacist && (!s.pharmacist->licenceNo || s.pharmacist->licenceNo->empty()))
    return Status(ErrorCode::kInvalidArgument, "the pharmacist '" + s.pharmacist->name +
                                                   "' needs a licence number (执业药师注册证号)");
  if (s.pharmacist && s.pharmacist->name == s.admin.name)
    return Status(ErrorCode::kInvalidArgument,
                  "the pharmacist and the admin need different login names");
  return Status();
}

namespace {

Status configure(Session& admin, const PharmacySetup& setup) {
  SettingsService settings(admin);
  if (!setup.pharmacy.name.empty())
    RX_RETURN_IF_ERROR(settings.set("pharmacy.name", setup.pharmacy.name));
  if (!setup.pharmacy.uscc.empty())
    RX_RETURN_IF_ERROR(settings.set("pharmacy.uscc", setup.pharmacy.uscc));
  if (!setup.pharmacy.licence.empty())
    RX_RETURN_IF_ERROR(settings.set("pharmacy.licence", setup.pharmacy.licence));
  RX_RETURN_IF_ERROR(
      settings.set("session.idle_lock_minutes", std::to_string(setup.idleLockMinutes)));
  if (setup.pharmacist)
    RX_RETURN_IF_ERROR(admin.addUser(*setup.pharmacist, setup.pharmacistPassword).status());
  return Status();
}

}  // namespace

Result<std::unique_ptr<Session>> setUpPharmacy(const std::string& path, const PharmacySetup& setup,
                                               data::StoreOptions options) {
  RX_RETURN_IF_ERROR(validateSetup(setup));
  if (data::fileExists(path))
    return Status(ErrorCode::kConflict, "there is already a store at " + path);
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (!folder.empty() && !ensurePrivateFolder(folder))
    return Status(ErrorCode::kIo, "cannot create the folder " + folder);
  // Built under another name and renamed into place once complete: a set-up cut short (power
  // cut, window closed, killed) leaves no half-made store where rxdesk looks for one, only files
  // under the staging name, removed by the next attempt.
  const std::string staging = path + ".setting-up";
  data::Store::removeFiles(staging);
  RX_ASSIGN_OR_RETURN(auto admin,
                      Session::initStore(staging, setup.admin, setup.adminPassword, options));
  Status configured = configure(*admin, setup);
  if (configured && setup.fill) configured = setup.fill(*admin, staging, options);
  admin.reset();  // closed: SQLite folds its WAL back into the file
  if (!configured) {
    data::Store::removeFiles(staging);
    return configured.withContext("setting up " + path);
  }
  std::error_code ec;
  std::filesystem::rename(data::Store::keySlotPath(staging), data::Store::keySlotPath(path), ec);
  if (!ec) std::filesystem::rename(staging, path, ec);  // the store last: its name marks it done
  if (ec) {
    data::Store::removeFiles(staging);
    std::filesystem::remove(data::Store::keySlotPath(path));
    return Status(ErrorCode::kIo,
                  "cannot put the new store in place at " + path + ": " + ec.message());
  }
  data::Store::removeFiles(
      staging);  // the login-attempts file and anything else under the staging name
  RX_RETURN_IF_ERROR(data::syncParentFolder(path));
  return Session::login(path, setup.admin.name, setup.adminPassword, options);
}

}  // namespace rx::ws
