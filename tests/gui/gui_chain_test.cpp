// The chain registry in the window (docs/registry.md): the status bar says whether the registry is
// there, what waits to be sent and when the last exchange was; the UI stays free meanwhile.
#include <gtest/gtest.h>

#include <wx/statusbr.h>

#include "audit_rewrite.h"
#include "base/time.h"
#include "gui_app.h"
#include "gui_helpers.h"
#include "main_frame.h"
#include "pg_registry.h"
#include "temp_dir.h"
#include "workstation/chain.h"
#include "workstation/demo.h"
#include "workstation/intake.h"
#include "workstation/review.h"

namespace rx::gui {
namespace {

TEST(GuiChain, TheStatusBarSaysWhetherTheRegistryIsThereAndWhatWaits) {
  setupTranslations("en");
  std::string why;
  auto registry = test::RegistryCluster::start({{"a", "仁心大药房南山店"}}, &why);
  ASSERT_TRUE(registry) << why;
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store));
  {
    auto admin = ws::Session::login(store, ws::kDemoAdmin, ws::kDemoPassword);
    ASSERT_TRUE(admin.isOk());
    ws::ChainService chain(**admin);
    ASSERT_TRUE(ws::makeChainKey(dir.file("chain.key")).isOk());
    ASSERT_TRUE(chain.request("a", "仁心大药房南山店", dir.file("a.request")).isOk());
    ASSERT_TRUE(ws::sealChainKey(dir.file("chain.key"), dir.file("a.request"), dir.file("a.sealed"))
                    .isOk());
    auto joined = chain.join(registry->joinOptions("a", dir.file("a.sealed")));
    ASSERT_TRUE(joined.isOk()) << joined.status().message();
  }
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  auto chainText = [&] { return frame->GetStatusBar()->GetStatusText(3); };
  ASSERT_TRUE(pumpUntil([&] { return chainText().Contains("Chain: online"); }, 20))
      << chainText().utf8_str();

  // The registry goes away; a presentation made meanwhile waits for it.
  ASSERT_TRUE(registry->stop());
  {
    auto other = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
    ASSERT_TRUE(other.isOk());
    ws::ReviewService review(**other);
    ocr::ExtractedFields f;
    f.fields["rx_number"] = {"HOSP-5150", 0.95f, {}, {}};
    f.fields["date"] = {beijingToday(), 0.95f, {}, {}};
    ASSERT_TRUE(ws::IntakeService(review).presentPaper(f, "photo.jpg").isOk());
  }
  frame->tickChainStatus();
  ASSERT_TRUE(pumpUntil([&] { return chainText().Contains("OFFLINE"); }, 20))
      << chainText().utf8_str();
  EXPECT_TRUE(chainText().Contains("1 to send")) << chainText().utf8_str();
  screenshot("chain-offline-en");

  // Back: the next exchange sends it.
  ASSERT_TRUE(registry->start());
  frame->tickChainStatus();
  ASSERT_TRUE(pumpUntil([&] { return chainText().Contains("Chain: online"); }, 20))
      << chainText().utf8_str();
  EXPECT_FALSE(chainText().Contains("to send")) << chainText().utf8_str();

  // Someone holding the database key rewrites the audit log (issue 25): the next exchange finds
  // the registry's heads no longer match, and the status bar says so until the log matches again.
  {
    auto insider = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
    ASSERT_TRUE(insider.isOk());
    ASSERT_TRUE(test::rewriteAuditLogAsAnInsider((*insider)->store().connection()).isOk());
  }
  frame->tickChainStatus();
  ASSERT_TRUE(pumpUntil([&] { return chainText().Contains("AUDIT LOG CHANGED"); }, 20))
      << chainText().utf8_str();
  screenshot("chain-audit-changed-en");
  // A registry out of reach does not make it forgotten.
  ASSERT_TRUE(registry->stop());
  frame->tickChainStatus();
  ASSERT_TRUE(pumpUntil([&] { return chainText().Contains("OFFLINE"); }, 20))
      << chainText().utf8_str();
  EXPECT_TRUE(chainText().Contains("AUDIT LOG CHANGED")) << chainText().utf8_str();
  destroy(frame);
}

}  // namespace
}  // namespace rx::gui
