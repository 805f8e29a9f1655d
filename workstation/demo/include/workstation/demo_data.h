// Demo data for trying rxdesk (the quick start's demo store, `rxdesk-cli init --demo-data`, the
// first-run window's "demo data" box): never for a real pharmacy. In the rxdesk_demo library with
// the photo generator it uses; the service layer does not link it.
#pragma once

#include <chrono>
#include <string>

#include "data/store.h"
#include "workstation/session.h"
#include "workstation/setup.h"

namespace rx::ws {

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
// Everything is dated `now` (the tests make a demo store days old).
Result<DemoData> addDemoData(
    Session& admin, const std::string& path, const std::string& pharmacist,
    const std::string& pharmacistPassword, const std::string& filesFolder,
    data::StoreOptions options = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// For a demo store made days ago, whose e-prescriptions and photos have expired: signs the demo
// e-prescriptions afresh, dated `now`, with a new demo provider key under a new agreement (the
// first key was not kept), replaces them and the paper photos in `filesFolder`, and presents the
// e-prescriptions as `pharmacist`. Returns how many were presented.
Result<int> addFreshDemoDocuments(Session& admin, Session& pharmacist,
                                  const std::string& filesFolder,
                                  std::chrono::system_clock::time_point now);

// The demo files' folder of the store at `storePath`: `filesFolder` when given, else
// `<folder>/demo-files` beside the store.
std::string demoFilesFolderOf(const std::string& storePath, const std::string& filesFolder);

// `setup` with its `fill` set to add the demo data, dated `now`, when setUpPharmacy() creates the
// store at `storePath` (needs the first pharmacist); unchanged without one.
PharmacySetup withDemoData(
    PharmacySetup setup, const std::string& storePath,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace rx::ws
