// The pharmacy most workstation tests start from: a new store (fast key derivation) with the admin
// "admin" (password "pw"), pharmacists "wang" ("w") and "li" ("l") and supervisor "zhou" ("z").
#pragma once

#include <memory>
#include <string>

#include "store_fixture.h"
#include "workstation/session.h"

namespace rx::test {

// Returns the admin's session on the new store.
inline Result<std::unique_ptr<ws::Session>> makeCounterStore(const std::string& path) {
  RX_ASSIGN_OR_RETURN(auto admin,
                      ws::Session::initStore(path, adminUser(), "pw", fastStoreOptions()));
  RX_RETURN_IF_ERROR(admin->addUser(pharmacistUser("wang"), "w").status());
  RX_RETURN_IF_ERROR(admin->addUser(pharmacistUser("li"), "l").status());
  RX_RETURN_IF_ERROR(
      admin->addUser({"zhou", data::Role::kSupervisor, "周主管", std::nullopt}, "z").status());
  return admin;
}

}  // namespace rx::test
