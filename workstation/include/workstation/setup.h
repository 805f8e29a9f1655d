// First run: a new pharmacy's store with its identity (name, 统一社会信用代码, licence), first
// admin and pharmacist, the pharmacy key pair and the idle lock, as the GUI's first-run wizard and
// `rxdesk-cli init` ask for them; and the optional demo data a new user tries everything with.
#pragma once

#include <functional>
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
  bool demoData = false;  // a demo provider, agreement, products and prescriptions (demo_data.h)
  // Where the demo files go; empty: `demo-files` beside the store.
  std::string demoFilesFolder;
  // Anything more to put in the new store before it is put in place (`staging` is the path it is
  // built at): the demo data (withDemoData). A failure leaves no store behind.
  std::function<Status(Session& admin, const std::string& staging, const data::StoreOptions&)> fill;
};

// Checks what can be checked before anything is created: the pharmacy's USCC check character,
// the idle lock's range, the first pharmacist's licence. Errors name the field.
Status validateSetup(const PharmacySetup& setup);

// Creates the store at `path` (refusing an existing one) and sets it up; on any failure nothing is
// left behind. Returns the admin's session.
Result<std::unique_ptr<Session>> setUpPharmacy(const std::string& path, const PharmacySetup& setup,
                                               data::StoreOptions options = {});

}  // namespace rx::ws
