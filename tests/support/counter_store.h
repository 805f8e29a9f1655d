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

// A product of the pharmacy's list (0.25g×24粒 a box), as the tests' package codes name it.
inline data::ProductRecord testProduct(const std::string& code, const std::string& drug,
                                       const std::string& maker = "示例制药有限公司",
                                       std::int64_t priceFen = 1250) {
  data::ProductRecord p;
  p.productCode = code;
  p.drugName = drug;
  p.spec = "0.25g×24粒";
  p.manufacturer = maker;
  p.unit = "盒";
  p.priceFen = priceFen;
  return p;
}

}  // namespace rx::test
