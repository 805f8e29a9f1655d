// The demo store a new user tries rxdesk on: fixed, documented demo accounts. Never used for a
// real pharmacy (the password is printed in the README and on the login screen in demo mode).
#pragma once

#include <string>

#include "base/status.h"

namespace rx::ws {

inline constexpr const char* kDemoPassword = "rxdesk-demo";
inline constexpr const char* kDemoPharmacist = "pharmacist";
inline constexpr const char* kDemoSupervisor = "supervisor";
inline constexpr const char* kDemoAdmin = "admin";

// Creates the demo store at `path` with the demo accounts and demo data (setup.h: a provider and
// its agreement, products, e-prescriptions in `filesFolder` — default `<folder>/demo-files` beside
// the store — and in the queue) unless a store is already there. Returns true in the value iff it
// created one. The workstation keeps the files outside the store's own folder (paths.h).
Result<bool> ensureDemoStore(const std::string& path, const std::string& filesFolder = {});

}  // namespace rx::ws
