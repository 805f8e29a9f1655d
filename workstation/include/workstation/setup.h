// First run: a new pharmacy's store with its identity (name, 统一社会信用代码, licence), first
// admin and pharmacist, the pharmacy key pair and the idle lock, as the GUI's first-run wizard and
// `rxdesk-cli init` ask for them; and the optional demo data a new user tries everything with.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "data/store.h"
#include "data/users.h"
#include "workstation/session.h"
#include "workstation/settings.h"

namespace rx::ws {

struct PharmacySetup {
  PharmacyProfile pharmacy;  // each part may be empty in the CLI (set later with `settings`)
  data::NewUser admin;
  std::string adminPassword;
  std::optional<data::NewUser> pharmacist;  // the first pharmacist, if created now
  std::string pharmacistPassword;
  int idleLockMinutes = 5;
  bool demoData = false;  // a demo provider, agreement, products and prescriptions
  // Where the demo files go; empty: `demo-files` beside the store.
  std::string demoFilesFolder;
};

// Checks what can be checked before anything is created: the pharmacy's USCC check character,
// the idle lock's range, the first pharmacist's licence. Errors name the field.
Status validateSetup(const PharmacySetup& setup);

// Creates the store at `path` (refusing an existing one) and sets it up; on any failure nothing is
// left behind. Returns the admin's session.
Result<std::unique_ptr<Session>> setUpPharmacy(const std::string& path, const PharmacySetup& setup,
                                               data::StoreOptions options = {});

// What addDemoData made.
struct DemoData {
  std::string filesFolder;  // signed e-prescriptions and a QR payload to present
  int prescriptionsPresented = 0;
  int photos = 0;  // paper prescription photos written to filesFolder
};

// Adds demo data to the store `admin` is signed in to: a demo provider (SM2 key, its signed and
// accepted agreement), products, e-prescriptions written to `filesFolder` and, presented by
// `pharmacist` (logged in with `pharmacistPassword`), a queue including one prescription
// presented twice; and phone photos of paper prescriptions to present (one photographed twice,
// one a monthly repeat). For trying rxdesk, never for a real pharmacy.
Result<DemoData> addDemoData(Session& admin, const std::string& path, const std::string& pharmacist,
                             const std::string& pharmacistPassword, const std::string& filesFolder,
                             data::StoreOptions options = {});

}  // namespace rx::ws
