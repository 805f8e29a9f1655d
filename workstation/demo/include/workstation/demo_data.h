// Demo data for trying rxdesk (the quick start's demo store, `rxdesk-cli init --demo-data`, the
// first-run window's "demo data" box): never for a real pharmacy. In the rxdesk_demo library with
// the photo generator it uses; the service layer does not link it.
#pragma once

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
Result<DemoData> addDemoData(Session& admin, const std::string& path, const std::string& pharmacist,
                             const std::string& pharmacistPassword, const std::string& filesFolder,
                             data::StoreOptions options = {});

// `setup` with its `fill` set to add the demo data when setUpPharmacy() creates the store at
// `storePath` (needs the first pharmacist); unchanged without one.
PharmacySetup withDemoData(PharmacySetup setup, const std::string& storePath);

}  // namespace rx::ws
