#include "workstation/demo.h"

#include <filesystem>

#include "data/files.h"
#include "workstation/paths.h"
#include "workstation/session.h"

namespace rx::ws {

Result<bool> ensureDemoStore(const std::string& path) {
  if (data::fileExists(path)) return false;
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (!folder.empty() && !ensurePrivateFolder(folder))
    return Status(ErrorCode::kIo, "cannot create the folder " + folder);
  RX_ASSIGN_OR_RETURN(auto session, Session::initStore(path,
                                                       {kDemoAdmin, data::Role::kAdmin,
                                                        "演示管理员 Demo admin", std::nullopt},
                                                       kDemoPassword));
  RX_ASSIGN_OR_RETURN(auto pharmacist,
                      session->addUser({kDemoPharmacist, data::Role::kPharmacist,
                                        "王药师 Wang (demo)", std::string("DEMO-ZY-0001")},
                                       kDemoPassword));
  RX_ASSIGN_OR_RETURN(auto supervisor, session->addUser({kDemoSupervisor, data::Role::kSupervisor,
                                                         "李主管 Li (demo)", std::nullopt},
                                                        kDemoPassword));
  (void)pharmacist;
  (void)supervisor;
  return true;
}

}  // namespace rx::ws
