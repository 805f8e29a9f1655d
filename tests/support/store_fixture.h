// Helpers to make stores quickly in tests: cheap scrypt parameters (the default costs ~0.1 s per
// login, which adds up over hundreds of tests) and a manual clock.
#pragma once

#include <gtest/gtest.h>

#include "data/store.h"
#include "status_matchers.h"
#include "temp_dir.h"

namespace rx::test {

inline data::StoreOptions fastStoreOptions(std::int64_t* clock = nullptr) {
  data::StoreOptions o;
  o.kdf = {1u << 10, 8, 1};
  if (clock) o.now = [clock] { return *clock; };
  return o;
}

inline data::NewUser adminUser(const std::string& name = "admin") {
  return data::NewUser{name, data::Role::kAdmin, "管理员 Admin", std::nullopt};
}

inline data::NewUser pharmacistUser(const std::string& name) {
  return data::NewUser{name, data::Role::kPharmacist, "药师 " + name, "ZY-4401-" + name};
}

}  // namespace rx::test
