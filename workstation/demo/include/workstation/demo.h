// The demo store a new user tries rxdesk on: fixed, documented demo accounts. Never used for a
// real pharmacy (the password is printed in the README and on the login screen in demo mode).
#pragma once

#include <chrono>
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
// The demo data is dated `madeAt` (the tests make a store days old).
Result<bool> ensureDemoStore(
    const std::string& path, const std::string& filesFolder = {},
    std::chrono::system_clock::time_point madeAt = std::chrono::system_clock::now());

// A demo store made days ago has expired e-prescriptions (they are valid on the day they are
// issued) and photos. When the demo e-prescription in `filesFolder` (as for ensureDemoStore) was
// issued before today, Beijing time, signs fresh ones and photographs fresh paper, dated `now`,
// and presents the e-prescriptions (demo_data.h addFreshDemoDocuments). Returns how many were
// presented: 0 when the files are from today or are not there, or the demo accounts' password was
// changed. Reads one file when there is nothing to do.
Result<int> freshenDemoStore(
    const std::string& path, const std::string& filesFolder = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace rx::ws
