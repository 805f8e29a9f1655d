#include "workstation/demo.h"

#include "base/time.h"
#include "data/files.h"
#include "workstation/demo_data.h"
#include "workstation/eprescription.h"
#include "workstation/setup.h"

namespace rx::ws {

Result<bool> ensureDemoStore(const std::string& path, const std::string& filesFolder,
                             std::chrono::system_clock::time_point madeAt) {
  if (data::fileExists(path)) return false;
  PharmacySetup setup;
  setup.admin = {kDemoAdmin, data::Role::kAdmin, "演示管理员 Demo admin", std::nullopt};
  setup.adminPassword = kDemoPassword;
  setup.pharmacist = data::NewUser{kDemoPharmacist, data::Role::kPharmacist, "王药师 Wang (demo)",
                                   std::string("DEMO-ZY-0001")};
  setup.pharmacistPassword = kDemoPassword;
  setup.demoData = true;
  setup.demoFilesFolder = filesFolder;
  RX_ASSIGN_OR_RETURN(auto admin, setUpPharmacy(path, withDemoData(setup, path, madeAt)));
  RX_RETURN_IF_ERROR(
      admin
          ->addUser({kDemoSupervisor, data::Role::kSupervisor, "李主管 Li (demo)", std::nullopt},
                    kDemoPassword)
          .status());
  return true;
}

Result<int> freshenDemoStore(const std::string& path, const std::string& filesFolder,
                             std::chrono::system_clock::time_point now) {
  const std::string files = demoFilesFolderOf(path, filesFolder);
  const std::string first = files + "/rx-1.json";
  if (!data::fileExists(first)) return 0;
  RX_ASSIGN_OR_RETURN(std::string text, data::readWholeFile(first));
  RX_ASSIGN_OR_RETURN(EPrescription issued, parseEPrescription(text, first));
  if (beijingDate(issued.issuedAt) >= beijingDate(utcTimestamp(now))) return 0;
  auto admin = Session::login(path, kDemoAdmin, kDemoPassword);
  auto pharmacist = Session::login(path, kDemoPharmacist, kDemoPassword);
  if (!admin || !pharmacist) return 0;  // no longer the demo accounts: leave the store alone
  return addFreshDemoDocuments(**admin, **pharmacist, files, now);
}

}  // namespace rx::ws
