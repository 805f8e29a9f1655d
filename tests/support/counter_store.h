// The pharmacy most workstation tests start from: a new store (fast key derivation) with the admin
// "admin" (password "pw"), pharmacists "wang" ("w") and "li" ("l") and supervisor "zhou" ("z"),
// and the pharmacy's 统一社会信用代码 kTestPharmacyUscc, which the test agreements are made out to.
#pragma once

#include <memory>
#include <string>

#include "store_fixture.h"
#include "workstation/session.h"
#include "workstation/settings.h"

namespace rx::test {

inline constexpr const char* kTestPharmacyUscc = "91440300708461136T";

// Returns the admin's session on the new store.
inline Result<std::unique_ptr<ws::Session>> makeCounterStore(const std::string& path) {
  RX_ASSIGN_OR_RETURN(auto admin,
                      ws::Session::initStore(path, adminUser(), "pw", fastStoreOptions()));
  RX_RETURN_IF_ERROR(admin->addUser(pharmacistUser("wang"), "w").status());
  RX_RETURN_IF_ERROR(admin->addUser(pharmacistUser("li"), "l").status());
  RX_RETURN_IF_ERROR(
      admin->addUser({"zhou", data::Role::kSupervisor, "周主管", std::nullopt}, "z").status());
  RX_RETURN_IF_ERROR(ws::SettingsService(*admin).set("pharmacy.uscc", kTestPharmacyUscc));
  return admin;
}

}  // namespace rx::test
