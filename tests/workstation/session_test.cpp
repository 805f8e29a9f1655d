#include "workstation/session.h"

#include <gtest/gtest.h>

#include "store_fixture.h"
#include "workstation/demo.h"

namespace rx::ws {
namespace {

TEST(Session, RolesGateUserAdministration) {
  test::TempDir dir;
  const auto path = dir.file("s.rxdb");
  {
    auto admin = Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->addUser(test::pharmacistUser("wang"), "wpw"));
    RX_ASSERT_OK((*admin)->addUser({"li", data::Role::kSupervisor, "李", std::nullopt}, "lpw"));
  }
  auto wang = Session::login(path, "wang", "wpw", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  EXPECT_EQ((*wang)->addUser(test::pharmacistUser("zhou"), "x").status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ((*wang)->changePassword("li", "hijack").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ((*wang)->removeUser("li").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ((*wang)->listUsers(true).status().code(), ErrorCode::kPermissionDenied);
  auto users = (*wang)->listUsers(false);
  RX_ASSERT_OK(users);
  EXPECT_EQ(users->size(), 3u);
  RX_EXPECT_OK((*wang)->changePassword("wang", "wpw2"));
}

TEST(Demo, CreatesDemoAccountsOnceAndKeepsExistingStore) {
  test::TempDir dir;
  const auto path = dir.file("sub/demo.rxdb");
  auto first = ensureDemoStore(path);
  RX_ASSERT_OK(first);
  EXPECT_TRUE(*first);
  auto second = ensureDemoStore(path);
  RX_ASSERT_OK(second);
  EXPECT_FALSE(*second);
  for (const char* who : {kDemoAdmin, kDemoPharmacist, kDemoSupervisor})
    RX_EXPECT_OK(Session::login(path, who, kDemoPassword));
}

}  // namespace
}  // namespace rx::ws
