#include "workstation/demo.h"

#include "data/files.h"
#include "workstation/demo_data.h"
#include "workstation/setup.h"

namespace rx::ws {

Result<bool> ensureDemoStore(const std::string& path, const std::string& filesFolder) {
  if (data::fileExists(path)) return false;
  PharmacySetup setup;
  setup.admin = {kDemoAdmin, data::Role::kAdmin, "演示管理员 Demo admin", std::nullopt};
  setup.adminPassword = kDemoPassword;
  setup.pharmacist = data::NewUser{kDemoPharmacist, data::Role::kPharmacist, "王药师 Wang (demo)",
                                   std::string("DEMO-ZY-0001")};
  setup.pharmacistPassword = kDemoPassword;
  setup.demoData = true;
  setup.demoFilesFolder = filesFolder;
  RX_ASSIGN_OR_RETURN(auto admin, setUpPharmacy(path, withDemoData(setup, path)));
  RX_RETURN_IF_ERROR(
      admin
          ->addUser({kDemoSupervisor, data::Role::kSupervisor, "李主管 Li (demo)", std::nullopt},
                    kDemoPassword)
          .status());
  return true;
}

}  // namespace rx::ws
