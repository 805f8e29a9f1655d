// The workstation as a pharmacist sees it, under Xvfb: the login dialog appears, a wrong password
// is explained, the right one opens the main window. Screenshots go to RXDESK_SCREENSHOT_DIR.
#include <gtest/gtest.h>

#include <wx/app.h>
#include <wx/button.h>
#include <wx/dataview.h>
#include <wx/display.h>
#include <wx/menu.h>
#include <wx/msgdlg.h>
#include <wx/notebook.h>
#include <wx/statusbr.h>
#include <wx/translation.h>
#include <wx/uiaction.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>

#include <opencv2/imgproc.hpp>
#include "admin_dialog.h"
#include "ask.h"
#include "base/time.h"
#include "consultations_dialog.h"
#include "dashboard_dialog.h"
#include "data/prescriptions.h"
#include "dispense_dialog.h"
#include "exif.h"
#include "export_dialog.h"
#include "first_run_dialog.h"
#include "gui_app.h"
#include "gui_helpers.h"
#include "intake_job.h"
#include "login_dialog.h"
#include "main_frame.h"
#include "ocr/lexicon.h"
#include "page_view.h"
#include "presenting.h"
#include "reuse_dialog.h"
#include "review_dialog.h"
#include "sampling_dialog.h"
#include "store_task.h"
#include "temp_dir.h"
#include "workstation/agreement_document.h"
#include "workstation/backup.h"
#include "workstation/consultations.h"
#include "workstation/demo.h"
#include "workstation/demo_documents.h"
#include "workstation/export.h"
#include "workstation/intake.h"
#include "workstation/rxgen.h"
#include "workstation/sampling.h"
#include "workstation/settings.h"
#include "workstation/setup.h"
#include "wx_convert.h"

namespace rx::gui {
namespace {

// A worker hook that holds the work until the test has checked the window meanwhile (at most a
// minute).
void holdUntil(const std::atomic<bool>& release) {
  for (int i = 0; i < 6000 && !release; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

class GuiSmoke : public ::testing::TestWithParam<const char*> {};

TEST_P(GuiSmoke, LoginDialogThenMainWindow) {
  const wxString lang = GetParam();
  setupTranslations(lang);
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store));

  LoginDialog::Options options{store, ws::kDemoPharmacist, "Demo store"};
  auto* login = new LoginDialog(nullptr, options);
  ASSERT_TRUE(showOnScreen(login));

  login->setCredentials(ws::kDemoPharmacist, "wrong password");
  login->submit();
  ASSERT_TRUE(pumpUntil([&] { return !login->busy(); }, 20));
  const wxString expected =
      wxString::FromUTF8(lang == "zh_CN" ? "密码不正确" : "password is not right");
  wxString shown = login->errorText();
  shown.Replace("\n", lang == "zh_CN" ? "" : " ");  // undo the label's word wrapping
  EXPECT_TRUE(shown.Contains(expected)) << shown.utf8_str();
  screenshot(std::string("login-error-") + GetParam());

  login->setCredentials(ws::kDemoPharmacist, ws::kDemoPassword);
  login->submit();
  ASSERT_TRUE(pumpUntil([&] { return !login->busy() && !login->IsShown(); }, 20))
      << login->errorText();
  auto session = login->takeSession();
  ASSERT_NE(session, nullptr);
  login->Destroy();

  auto* frame = new MainFrame(std::move(session));
  ASSERT_TRUE(showOnScreen(frame));
  const wxString who = frame->GetStatusBar()->GetStatusText(0);
  EXPECT_TRUE(who.Contains(wxString::FromUTF8("王药师"))) << who;
  EXPECT_TRUE(frame->GetStatusBar()->GetStatusText(1).Contains(toWx(store)));
  EXPECT_EQ(frame->queue()->GetColumnCount(), 9u);
  EXPECT_EQ(frame->queue()->GetItemCount(), 4) << "the demo e-prescriptions, one of them twice";
  EXPECT_EQ(frame->queue()->GetSelectedRow(), 0) << "Enter opens the first waiting prescription";
  // Focus arrives from the X server after the window is shown; a loaded machine takes longer.
  EXPECT_TRUE(pumpUntil(
      [&] {
        wxWindow* focus = wxWindow::FindFocus();
        return focus && (focus == frame->queue() || frame->queue()->IsDescendant(focus));
      },
      10))
      << "the queue has the keyboard";
  EXPECT_EQ(frame->GetTitle(), wxString::FromUTF8(lang == "zh_CN" ? "rxdesk — 处方队列"
                                                                  : "rxdesk — prescription queue"));
  screenshot(std::string("main-") + GetParam());
  destroy(frame);
}

INSTANTIATE_TEST_SUITE_P(Languages, GuiSmoke, ::testing::Values("en", "zh_CN"));

// A page with a few lines of "filled-in" text, as the reader would have straightened it.
cv::Mat page(const std::string& number) {
  cv::Mat p(1754, 1240, CV_8UC1, cv::Scalar(248));
  cv::rectangle(p, {60, 60}, {1180, 1690}, cv::Scalar(40), 3);
  cv::putText(p, "No. " + number, {120, 260}, cv::FONT_HERSHEY_SIMPLEX, 2, cv::Scalar(20), 4);
  cv::putText(p, "2026-11-22", {120, 400}, cv::FONT_HERSHEY_SIMPLEX, 2, cv::Scalar(20), 4);
  return p;
}

ocr::ExtractedFields fields(const std::string& number) {
  ocr::ExtractedFields f;
  f.fields["rx_number"] = {number, 0.95f, {}};
  f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
  f.fields["date"] = {rx::beijingToday(), 0.95f, {}};
  f.fields["patient_name"] = {"郑梓萱", 0.95f, {}};
  return f;
}

// Whether the frame's File menu has an item whose label (without mnemonic and shortcut) is `label`.
bool fileMenuHas(wxFrame* frame, const wxString& label) {
  wxMenu* file = frame->GetMenuBar()->GetMenu(0);
  for (wxMenuItem* item : file->GetMenuItems())
    if (item->GetItemLabelText() == label) return true;
  return false;
}

TEST(GuiFirstRun, SetsUpThePharmacyAndNamesAWrongField) {
  setupTranslations("zh_CN");
  test::TempDir dir;
  const std::string store = dir.file("new/store.rxdb");
  auto* dialog = new FirstRunDialog(nullptr, store);
  ASSERT_TRUE(showOnScreen(dialog));
  for (auto [name, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"pharmacy_name", "仁心大药房"},
           {"uscc", "91440300708461136X"},
           {"licence", "粤AA7550123"},
           {"admin", "boss"},
           {"admin_password", "boss-password"},
           {"admin_password2", "boss-password"},
           {"pharmacist", "wang"},
           {"pharmacist_display", "王药师"},
           {"pharmacist_licence", "ZY44010001"},
           {"pharmacist_password", "wang-password"},
           {"pharmacist_password2", "wang-passw0rd"}})
    dialog->setField(name, wxString::FromUTF8(value));
  dialog->submit();
  EXPECT_TRUE(dialog->errorText().Contains(wxString::FromUTF8("两次输入的药师密码不一致")))
      << dialog->errorText().utf8_str();
  dialog->setField("pharmacist_password2", "wang-password");
  dialog->submit();
  EXPECT_TRUE(dialog->errorText().Contains(wxString::FromUTF8("统一社会信用代码")))
      << dialog->errorText().utf8_str();
  screenshot("first-run-zh_CN");
  EXPECT_FALSE(std::filesystem::exists(store));
  dialog->setField("uscc", "91440300708461136T");
  dialog->submit();
  ASSERT_TRUE(pumpUntil([&] { return !dialog->busy(); }, 30));
  EXPECT_EQ(dialog->storePath(), store) << dialog->errorText().utf8_str();
  EXPECT_EQ(dialog->pharmacist(), "wang");
  dialog->Destroy();
  auto wang = ws::Session::login(store, "wang", "wang-password");
  ASSERT_TRUE(wang.isOk()) << wang.status().message();
  EXPECT_EQ(ws::SettingsService(**wang).pharmacy()->name, "仁心大药房");
}

TEST(GuiLock, LockHidesTheQueueAndTheUserOrAnotherUnlocks) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store));
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  pumpUntil([&] { return !frame->GetStatusBar()->GetStatusText(2).empty(); }, 30);
  EXPECT_FALSE(fileMenuHas(frame, "Figures…")) << "a pharmacist's menu";
  EXPECT_TRUE(frame->GetStatusBar()->GetStatusText(2).Contains("No backup yet"))
      << frame->GetStatusBar()->GetStatusText(1).utf8_str();

  frame->lock();
  ASSERT_TRUE(frame->locked());
  EXPECT_FALSE(frame->queue()->IsShownOnScreen()) << "no patient data on a locked screen";
  ASSERT_TRUE(pumpUntil([&] { return frame->lockDialog()->IsShownOnScreen(); }, 10));
  screenshot("locked-en");
  frame->lockDialog()->setCredentials(ws::kDemoPharmacist, "wrong");
  frame->lockDialog()->submit();
  ASSERT_TRUE(pumpUntil([&] { return !frame->lockDialog()->busy(); }, 20));
  EXPECT_TRUE(frame->locked());
  frame->lockDialog()->setCredentials(ws::kDemoPharmacist, ws::kDemoPassword);
  frame->lockDialog()->submit();
  ASSERT_TRUE(pumpUntil([&] { return !frame->locked(); }, 20));
  EXPECT_TRUE(frame->queue()->IsShownOnScreen());

  // The supervisor takes over the locked counter: the window is theirs.
  frame->lock();
  ASSERT_TRUE(pumpUntil([&] { return frame->lockDialog()->IsShownOnScreen(); }, 10));
  frame->lockDialog()->setCredentials(ws::kDemoSupervisor, ws::kDemoPassword);
  frame->lockDialog()->submit();
  ASSERT_TRUE(pumpUntil([&] { return !frame->locked(); }, 20));
  EXPECT_EQ(frame->session().user().name, ws::kDemoSupervisor);
  // The menu is the supervisor's now (it kept the pharmacist's before).
  EXPECT_TRUE(fileMenuHas(frame, "Figures…"));
  EXPECT_TRUE(fileMenuHas(frame, "Audit sampling…"));
  EXPECT_TRUE(fileMenuHas(frame, "Export for inspectors…"));
  screenshot("supervisor-menu-after-takeover-en");
  EXPECT_TRUE(frame->GetStatusBar()->GetStatusText(0).Contains(wxString::FromUTF8("李主管")));

  // File ▸ Back up now… as the supervisor: written, verified, and on the status bar.
  const std::string backup = dir.file("usb/now.rxbak");
  std::filesystem::create_directories(dir.file("usb"));
  ASSERT_TRUE(pumpUntil([&] { return !frame->storeTaskRunning(); }, 60)) << "the launch check";
  // Cancelled from the row above the queue: nothing is left, no error box, the next one written.
  auto holdCancelled = std::make_shared<std::atomic<bool>>(false);
  StoreTask::setBeforeWorkForTests([holdCancelled] { holdUntil(*holdCancelled); });
  ASSERT_TRUE(frame->backupTo(backup).isOk());
  ASSERT_TRUE(frame->storeTaskRow()->IsShown());
  EXPECT_TRUE(frame->storeTaskRow()->text().Contains("Writing the backup"));
  screenshot("backup-under-way-with-cancel-en");
  wxButton* cancel = frame->storeTaskRow()->cancelButton();
  wxCommandEvent press(wxEVT_BUTTON, cancel->GetId());
  press.SetEventObject(cancel);
  cancel->HandleWindowEvent(press);
  EXPECT_FALSE(cancel->IsEnabled()) << "cancelling: pressed once";
  EXPECT_TRUE(frame->storeTaskRow()->text().Contains("Cancelling"));
  *holdCancelled = true;
  ASSERT_TRUE(pumpUntil([&] { return !frame->storeTaskRunning(); }, 60));
  EXPECT_EQ(frame->lastStoreTask().code(), ErrorCode::kCancelled);
  EXPECT_FALSE(std::filesystem::exists(backup));
  EXPECT_FALSE(std::filesystem::exists(backup + ".partial"));
  EXPECT_FALSE(frame->storeTaskRow()->IsShown());
  EXPECT_TRUE(frame->GetStatusBar()->GetStatusText(1).Contains("cancelled"))
      << frame->GetStatusBar()->GetStatusText(1).utf8_str();
  // Written on a worker: made slow here, the window goes on handling events meanwhile.
  auto release = std::make_shared<std::atomic<bool>>(false);
  StoreTask::setBeforeWorkForTests([release] { holdUntil(*release); });
  ASSERT_TRUE(frame->backupTo(backup).isOk());
  EXPECT_TRUE(frame->storeTaskRunning());
  bool eventHandled = false;
  frame->CallAfter([&] { eventHandled = true; });
  ASSERT_TRUE(pumpUntil([&] { return eventHandled; }, 10));
  EXPECT_TRUE(frame->storeTaskRunning()) << "the window did not wait for the backup";
  *release = true;
  ASSERT_TRUE(pumpUntil([&] { return !frame->storeTaskRunning(); }, 120));
  StoreTask::setBeforeWorkForTests({});
  EXPECT_TRUE(frame->lastStoreTask().isOk()) << frame->lastStoreTask().message();
  EXPECT_TRUE(ws::checkBackup(backup).isOk());
  EXPECT_TRUE(frame->GetStatusBar()->GetStatusText(2).StartsWith("Last backup"))
      << frame->GetStatusBar()->GetStatusText(1).utf8_str();
  // With the audit head the backup recorded, for a supervisor to note (issue 25).
  auto recorded = ws::checkBackup(backup);
  ASSERT_TRUE(recorded.isOk() && recorded->auditHead);
  const std::string shown = "audit " + std::to_string(recorded->auditHead->seq) + "/" +
                            crypto::toHex(recorded->auditHead->hash).substr(0, 6);
  EXPECT_TRUE(frame->GetStatusBar()->GetStatusText(2).Contains(shown))
      << frame->GetStatusBar()->GetStatusText(2).utf8_str() << " / " << shown;
  destroy(frame);
}

// A counter PC whose system locale is plain "C", or names a locale the machine has not generated
// (LANG=zh_CN.UTF-8 on a minimal install, seen here): the menus must still read, in Chinese.
TEST(GuiLocale, MenusReadWhenTheSystemLocaleIsPlainC) {
  const char* before = std::getenv("LC_ALL");
  const std::string saved = before ? before : "";
  setenv("LC_ALL", "C", 1);
  setupTranslations("zh_CN");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store));
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  wxMenu* file = frame->GetMenuBar()->GetMenu(0);
  ASSERT_GT(file->GetMenuItemCount(), 5u);
  for (const wxMenuItem* item : file->GetMenuItems()) {
    if (!item->IsSeparator()) {
      EXPECT_FALSE(item->GetItemLabelText().empty()) << item->GetId();
    }
  }
  EXPECT_TRUE(
      file->GetMenuItems()[0]->GetItemLabelText().StartsWith(wxString::FromUTF8("导入文件")))
      << file->GetMenuItems()[0]->GetItemLabelText().utf8_str();
  destroy(frame);
  if (before)
    setenv("LC_ALL", saved.c_str(), 1);
  else
    unsetenv("LC_ALL");
  setupTranslations("en");
}

TEST(GuiDashboard, FiguresShowTodaysDecisionsAndConsultationsAsBars) {
  setupTranslations("zh_CN");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store));
  {
    auto wang = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
    ASSERT_TRUE(wang.isOk());
    ws::ReviewService review(**wang);
    auto queue = review.queue();
    ASSERT_TRUE(queue.isOk());
    for (std::size_t i = 0; i < 2; ++i) {
      ASSERT_TRUE(review.startReview(queue->at(i).id).isOk());
      ASSERT_TRUE(
          review
              .decide(queue->at(i).id,
                      {i ? ws::Decision::kReject : ws::Decision::kAsk, {"expired"}, "", false})
              .isOk());
    }
    ws::NewConsultation c;
    c.question = "这个药孕妇能用吗";
    c.advice = "请咨询医生";
    ASSERT_TRUE(ws::ConsultationService(**wang).record(c).isOk());
  }
  auto zhou = ws::Session::login(store, ws::kDemoSupervisor, ws::kDemoPassword);
  ASSERT_TRUE(zhou.isOk());
  auto* dialog = new DashboardDialog(nullptr, **zhou);
  ASSERT_TRUE(showOnScreen(dialog));
  EXPECT_EQ(dialog->decisionsChart()->bars(), 30);
  EXPECT_EQ(dialog->decisionsChart()->total(), 2);
  EXPECT_EQ(dialog->consultationsChart()->total(), 1);
  // The reason code in the window's language, and no English word anywhere.
  EXPECT_TRUE(dialog->listsText().Contains(wxString::FromUTF8("处方已过期 ×1")))
      << dialog->listsText().utf8_str();
  EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
  screenshot("figures-zh_CN");
  dialog->showPeriod(7);
  EXPECT_EQ(dialog->decisionsChart()->bars(), 7);
  destroy(dialog);
}

TEST(GuiReview, WhatAMendedNameWasReadAsReachesTheReviewWindowFromTheStore) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  storeWithDemoAccounts(store);
  std::int64_t id = 0;
  {
    // Presented by another program (the CLI): the window knows it only from the store.
    auto cli = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
    ASSERT_TRUE(cli.isOk());
    ws::ReviewService review(**cli);
    ocr::ExtractedFields read = fields("202600009999");
    read.fields["patient_name"] = {"郑梓萱", ocr::kMendedNameConfidence, {}, std::string("郑梓宣")};
    auto presented = ws::IntakeService(review).presentPaper(read, "a.jpg");
    ASSERT_TRUE(presented.isOk()) << presented.status().message();
    id = presented->record;
  }
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  ws::ReviewService review(**session);
  auto* dialog = new ReviewDialog(nullptr, review, **session, id);
  ASSERT_TRUE(dialog->opened()) << dialog->errorText().utf8_str();
  EXPECT_TRUE(dialog->fieldHint("patient_name").Contains(wxString::FromUTF8("Read as 郑梓宣")))
      << dialog->fieldHint("patient_name").utf8_str();
  EXPECT_TRUE(dialog->fieldHint("rx_number").empty()) << "read with confidence: nothing to check";
  EXPECT_EQ(dialog->unticked(), 1);
  auto opened = review.record(id);
  ASSERT_TRUE(opened.isOk());
  EXPECT_EQ(opened->state, data::RxState::kInReview);
  destroy(dialog);
  // Closed without a decision: back in the queue, not locked by anyone.
  auto closed = review.record(id);
  ASSERT_TRUE(closed.isOk());
  EXPECT_EQ(closed->state, data::RxState::kQueued);
  EXPECT_FALSE(closed->lockedBy.has_value());
}

TEST(GuiReview, AMisreadDrugLineIsHighlightedCorrectedAndSavedOnceWithTheDecision) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  storeWithDemoAccounts(store);
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  ws::ReviewService review(**session);
  ocr::ExtractedFields read = fields("202600009998");
  ocr::DrugLine misread;  // 阿莫西林胶囊 with its last character lost: not snapped, no class
  misread.name = {"阿莫西林胶", 0.5f, cv::Rect(60, 520, 260, 34), {}};
  misread.quantity = {"2", 0.9f, {}, {}};
  ocr::DrugLine other;  // a line that is not on the paper
  other.name = {"头孢克肟胶囊", 0.9f, {}, {}};
  other.drugClass = "rx";
  read.drugs = {misread, other};
  auto presented = ws::IntakeService(review).presentPaper(read, "a.jpg");
  ASSERT_TRUE(presented.isOk()) << presented.status().message();
  const std::int64_t id = presented->record;

  auto* dialog = new ReviewDialog(nullptr, review, **session, id);
  ASSERT_TRUE(dialog->opened()) << dialog->errorText().utf8_str();
  ASSERT_EQ(dialog->drugLineCount(), 2);
  EXPECT_TRUE(dialog->drugLineFlagged(1)) << "not in the catalogue";
  EXPECT_FALSE(dialog->drugLineFlagged(2));
  // Boxed on the page where it was read, orange like a field to check.
  ASSERT_NE(dialog->pageView(), nullptr);
  const auto& boxes = dialog->pageView()->boxes();
  EXPECT_TRUE(std::any_of(boxes.begin(), boxes.end(), [](const PageBox& b) {
    return b.x == 60 && b.y == 520 && b.w == 260 && b.h == 34 && b.toCheck;
  }));
  EXPECT_TRUE(dialog->checksText().Contains("drugs not in the catalogue"))
      << dialog->checksText().utf8_str();
  // Read without a unit (the first) or without quantity and unit (the second): highlighted too,
  // and named in the checks.
  EXPECT_TRUE(dialog->drugLineAmountFlagged(1));
  EXPECT_TRUE(dialog->drugLineAmountFlagged(2));
  EXPECT_TRUE(dialog->checksText().Contains("drug lines without a quantity or unit"))
      << dialog->checksText().utf8_str();
  ASSERT_TRUE(showOnScreen(dialog));
  screenshot("review-drug-lines-en");

  // A name the catalogue does not know either: refused, the nearest name said.
  dialog->setDrugLine(1, wxString::FromUTF8("阿莫西林胶襄"));
  dialog->setBuyerConfirmed(true);
  EXPECT_TRUE(dialog->approve().Contains(wxString::FromUTF8("阿莫西林胶囊")))
      << dialog->errorText().utf8_str();

  // Corrected, the extra line emptied, a missed drug added: saved even though the approval is
  // still refused (no buyer's ID), and shown again as stored.
  dialog->setDrugLine(1, wxString::FromUTF8("阿莫西林胶囊"), wxEmptyString,
                      wxString::FromUTF8("盒"));
  dialog->setDrugLine(2, wxEmptyString);
  dialog->addDrugLine();
  dialog->setDrugLine(3, wxString::FromUTF8("芬必得"), "1");
  // The added line has no unit yet: saved, but approval does not pass over it.
  const wxString noUnit = dialog->approve();
  EXPECT_TRUE(noUnit.Contains("quantity and unit of drug line(s) 2")) << noUnit.utf8_str();
  ASSERT_EQ(dialog->drugLineCount(), 2);
  EXPECT_EQ(dialog->drugLineName(1), wxString::FromUTF8("阿莫西林胶囊"));
  EXPECT_EQ(dialog->drugLineName(2), wxString::FromUTF8("布洛芬缓释胶囊"));
  EXPECT_FALSE(dialog->drugLineFlagged(1));
  EXPECT_FALSE(dialog->drugLineAmountFlagged(1));
  EXPECT_TRUE(dialog->drugLineAmountFlagged(2));
  EXPECT_TRUE(dialog->checksText().Contains("drug lines without a quantity or unit"))
      << dialog->checksText().utf8_str();
  dialog->setDrugLine(2, dialog->drugLineName(2), wxEmptyString, wxString::FromUTF8("盒"));
  EXPECT_FALSE(dialog->approve().empty()) << "the buyer's ID is missing";
  EXPECT_FALSE(dialog->checksText().Contains("drug lines without a quantity or unit"))
      << dialog->checksText().utf8_str();

  // Approved: nothing is removed or added a second time.
  dialog->setPatientId("110101198005010011");
  EXPECT_EQ(dialog->approve(), wxString()) << dialog->checksText().utf8_str();
  destroy(dialog);
  auto stored = review.record(id);
  ASSERT_TRUE(stored.isOk());
  ASSERT_EQ(stored->items.size(), 2u);
  EXPECT_EQ(stored->items[0].drugName, "阿莫西林胶囊");
  EXPECT_EQ(stored->items[0].quantity, 2);
  EXPECT_EQ(stored->items[1].drugName, "布洛芬缓释胶囊");
  EXPECT_EQ(stored->items[1].quantity, 1);
  EXPECT_EQ(stored->items[0].unit, "盒");
  EXPECT_EQ(stored->items[1].unit, "盒");
  EXPECT_EQ(stored->state, data::RxState::kApproved);
}

TEST(GuiIntake, TheWindowAnswersAKeyWhileAPresentationIsSlow) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  storeWithDemoAccounts(store);
  // An e-prescription from a provider without an agreement: taken in, not verified.
  ws::DemoPrescription p;
  p.issuedAt = utcTimestamp();
  const auto provider = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  auto text = ws::signEPrescription(ws::demoBundle(p), provider, p.issuedAt);
  ASSERT_TRUE(text.isOk());
  const std::string file = dir.file("rx.json");
  std::ofstream(file) << *text;
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));

  // Static: the worker may still be in the hook when a failed assertion leaves this test.
  static std::atomic<bool> presenting{false}, release{false};
  IntakeJob::setBeforePresentingForTests([] {
    presenting = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  });
  ASSERT_TRUE(frame->takeIn({file}));
  ASSERT_TRUE(pumpUntil([&] { return presenting.load(); }, 20));
  // The presentation is held on the worker; the window still takes Ctrl+L and paints its lock.
  frame->queue()->SetFocus();
  wxUIActionSimulator keys;
  keys.Char('l', wxMOD_CONTROL);
  const bool answered =
      pumpUntil([&] { return frame->locked() && frame->lockDialog()->IsShownOnScreen(); }, 10);
  const bool stillPresenting = frame->intakeRunning();
  release = true;
  EXPECT_TRUE(answered) << "the window did not answer Ctrl+L while a presentation ran";
  EXPECT_TRUE(stillPresenting) << "the presentation was not held while the key was answered";
  ASSERT_TRUE(pumpUntil([&] { return !frame->intakeRunning(); }, 30));
  IntakeJob::setBeforePresentingForTests({});
  ASSERT_EQ(frame->intakeOutcomes().size(), 1u);
  EXPECT_NE(frame->intakeOutcomes()[0].record, 0) << frame->intakeOutcomes()[0].error.utf8_str();
  destroy(frame);
}

TEST(GuiExport, ThePeriodIsPickedAsTwoDatesWithLastMonthChosen) {
  setupTranslations("zh_CN");
  EXPECT_EQ(previousMonth("2026-12-02"),
            std::make_pair(std::string("2026-11-01"), std::string("2026-11-30")));
  EXPECT_EQ(previousMonth("2027-01-15"),
            std::make_pair(std::string("2026-12-01"), std::string("2026-12-31")));
  EXPECT_EQ(previousMonth("2028-03-01").second, "2028-02-29");
  test::TempDir dir;
  auto* dialog = new ExportDialog(nullptr, "2026-12-02");
  ASSERT_TRUE(showOnScreen(dialog));
  EXPECT_EQ(dialog->from(), "2026-11-01");
  EXPECT_EQ(dialog->to(), "2026-11-30");
  EXPECT_TRUE(dialog->maskPatients()) << "masked unless the supervisor unticks it";
  EXPECT_FALSE(dialog->validate().empty()) << "no folder chosen yet";
  dialog->setFolder(dir.path());
  EXPECT_TRUE(dialog->validate().empty()) << dialog->validate().utf8_str();
  dialog->setPeriod("2026-11-30", "2026-11-01");
  EXPECT_FALSE(dialog->validate().empty()) << "the first day after the last";
  screenshot("export-period-zh_CN");
  destroy(dialog);
}

// An e-prescription has no page: the two presentations are compared by their signed content,
// side by side, instead of two blank panes.
TEST(GuiReuse, AnEPrescriptionPresentedTwiceIsComparedByItsSignedContent) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store).isOk());
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk()) << session.status().message();
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  ws::ReviewService review(frame->session());
  std::int64_t again = 0;
  std::optional<data::PrescriptionRecord> rx;
  for (int row = 0; row < frame->queue()->GetItemCount() && !again; ++row) {
    const std::int64_t id = frame->recordAt(row);
    auto finding = review.reuse().finding(id);
    auto record = review.record(id);
    if (finding.isOk() && *finding && !(*finding)->matches.empty() && record.isOk() &&
        record->kind == data::RxKind::kElectronic) {
      again = id;
      rx = *record;
    }
  }
  ASSERT_NE(again, 0) << "the demo queue holds an e-prescription presented twice";
  ASSERT_TRUE(rx->rxNumber.has_value());
  ASSERT_FALSE(rx->items.empty());
  auto* dialog = new ReuseDialog(frame, review.reuse(), frame->session(), again);
  ASSERT_TRUE(showOnScreen(dialog));
  for (bool earlier : {false, true}) {
    const wxString shown = dialog->contentShown(earlier);
    EXPECT_TRUE(shown.Contains(wxString::FromUTF8(*rx->rxNumber))) << shown;
    EXPECT_TRUE(shown.Contains(wxString::FromUTF8(rx->items[0].drugName))) << shown;
    // The issuer by its name in the agreement, not only its 统一社会信用代码.
    EXPECT_TRUE(shown.Contains(wxString::FromUTF8("演示互联网医院"))) << shown;
  }
  screenshot("reuse-dialog-eprescription");
  dialog->Destroy();
  destroy(frame);
}

TEST(GuiReuse, ReuseDialogShowsBothPagesAndAPharmacistOverrules) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  storeWithDemoAccounts(store);
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk()) << session.status().message();
  std::int64_t first = 0, second = 0;
  {
    ws::ReviewService review(**session);
    first = *test::presented(ws::IntakeService(review).presentPaper(fields("202600001234"), "a.jpg",
                                                                    page("202600001234")));
    // The same paper, one digit misread (read unsure: a number read with confidence and nothing
    // else to go by is taken as read, docs/reuse.md): suspected.
    ocr::ExtractedFields misread = fields("202600001284");
    misread.fields["rx_number"].confidence = 0.6f;
    second = *test::presented(
        ws::IntakeService(review).presentPaper(misread, "b.jpg", page("202600001234")));
  }
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  ASSERT_EQ(frame->queue()->GetItemCount(), 2);
  EXPECT_EQ(frame->recordAt(1), second);
  EXPECT_EQ(frame->reuseLabel(1), "suspected — double-click");

  ws::ReviewService review(frame->session());
  auto* dialog = new ReuseDialog(frame, review.reuse(), frame->session(), second);
  ASSERT_TRUE(showOnScreen(dialog));
  EXPECT_TRUE(dialog->matchText().Contains(wxString::Format("Record %lld", (long long)first)))
      << dialog->matchText();
  EXPECT_TRUE(dialog->matchText().Contains("one character off")) << dialog->matchText();
  // People by their names, not their logins.
  const wxString shown = wxString::FromUTF8(frame->session().user().displayName);
  ASSERT_NE(shown, wxString::FromUTF8(ws::kDemoPharmacist));
  EXPECT_TRUE(dialog->matchText().Contains("via " + shown)) << dialog->matchText();
  EXPECT_TRUE(dialog->overruleEnabled());
  screenshot("reuse-dialog");
  EXPECT_FALSE(dialog->overrule("  ").empty());  // a reason is required
  EXPECT_TRUE(dialog->overrule("医院电话确认是另一张处方").empty());
  EXPECT_FALSE(dialog->overruleEnabled());
  EXPECT_TRUE(dialog->matchText().Contains("Overruled by " + shown)) << dialog->matchText();
  dialog->Destroy();
  destroy(frame);
}

// The counter from photo to voucher: two photos of the same paper prescription taken in (off the
// UI thread), the second flagged with the first as its match; the first reviewed (fields checked,
// the buyer's ID, approved) and dispensed by typing its traceability code and Enter, as a scanner
// does into whatever has focus; the voucher appears.
class GuiCounter : public ::testing::TestWithParam<const char*> {};

TEST_P(GuiCounter, TwoPhotosInTheSecondFlaggedTheFirstApprovedDispensedWithItsVoucher) {
  const std::string lang = GetParam();
  setupTranslations(GetParam());
  test::TempDir dir;
  const std::string store = dir.file("counter.rxdb");
  storeWithDemoAccounts(store);
  ws::RxGenerator gen(20261122, ocr::defaultCataloguePath());
  ws::GenRx rx = gen.content(1);
  rx.date = rx::datePart(rx::chinaTime(rx::utcTimestamp()));
  rx.drugs.resize(1);
  rx.drugs[0].quantity = 1;
  {
    auto admin = ws::Session::login(store, ws::kDemoAdmin, ws::kDemoPassword);
    ASSERT_TRUE(admin.isOk());
    data::ProductRecord product;
    product.productCode = "8123456";
    product.drugName = rx.drugs[0].name;
    product.manufacturer = "示例制药";
    product.unit = rx.drugs[0].unit;
    product.priceFen = 2380;
    ASSERT_TRUE(ws::ProductService(**admin).put(product).isOk());
  }
  ws::CaptureOptions gentle;
  gentle.sidewaysProbability = gentle.upsideDownProbability = gentle.shadowProbability = 0;
  gentle.minJpegQuality = 85;
  const cv::Mat page = gen.render(rx);
  std::vector<std::string> photos;
  for (const char* name : {"first.jpg", "again.jpg"}) {
    const auto jpeg = gen.photograph(page, gentle);
    photos.push_back(dir.file(name));
    std::ofstream(photos.back(), std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()),
               static_cast<std::streamsize>(jpeg.size()));
  }

  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  ASSERT_TRUE(frame->takeIn(photos));
  EXPECT_TRUE(frame->intakeRunning());
  EXPECT_FALSE(frame->takeIn(photos)) << "one intake at a time";
  pumpUntil([] { return false; }, 0.3);
  screenshot("intake-progress-" + lang);
  ASSERT_TRUE(pumpUntil([&] { return !frame->intakeRunning(); }, 60));
  ASSERT_EQ(frame->intakeOutcomes().size(), 2u) << frame->intakeSummary().utf8_str();
  const std::int64_t first = frame->intakeOutcomes()[0].record;
  const std::int64_t second = frame->intakeOutcomes()[1].record;
  ASSERT_NE(first, 0) << frame->intakeOutcomes()[0].error.utf8_str();
  ASSERT_NE(second, 0) << frame->intakeOutcomes()[1].error.utf8_str();
  EXPECT_TRUE(frame->intakeSummary().Contains(wxString::FromUTF8("2"))) << frame->intakeSummary();
  ASSERT_EQ(frame->queue()->GetItemCount(), 2);
  EXPECT_EQ(frame->recordAt(1), second);
  // The re-photo is impossible to overlook: red with a sign in the queue, named in the banner.
  EXPECT_TRUE(frame->queue()->GetTextValue(1, MainFrame::kReuseColumn).Contains("foreground"))
      << frame->queue()->GetTextValue(1, MainFrame::kReuseColumn).utf8_str();
  // Rows are told apart by their record number.
  EXPECT_EQ(frame->queue()->GetTextValue(1, 0),
            wxString::Format("%lld", static_cast<long long>(second)));
  EXPECT_TRUE(frame->intakeSummary().Contains(wxString::FromUTF8("⚠")))
      << frame->intakeSummary().utf8_str();
  EXPECT_TRUE(
      frame->intakeSummary().Contains(wxString::Format("%lld", static_cast<long long>(second))));
  EXPECT_NE(frame->reuseLabel(1), frame->reuseLabel(0))
      << "the second photo is flagged, the first is new";
  {
    ws::ReviewService review(frame->session());
    auto finding = review.reuse().finding(second);
    ASSERT_TRUE(finding.isOk() && *finding);
    EXPECT_NE((*finding)->verdict, dedup::Verdict::kNew);
    ASSERT_FALSE((*finding)->matches.empty());
    EXPECT_EQ((*finding)->matches[0].record, first) << "the first photo is shown as the match";
  }
  // Not handed out yet: said so, in the queue and in the comparison; every cell read whole.
  EXPECT_EQ(frame->reuseLabel(1), _("presented before, not handed out"));
  EXPECT_EQ(cellsCutOff(frame->queue()), std::vector<std::string>{});
  screenshot("queue-after-intake-" + lang);
  if (lang == "zh_CN") {
    EXPECT_EQ(latinWordsShown(frame, kCodesAndNames), std::set<std::string>{});
  }
  {
    ws::ReviewService review(frame->session());
    auto* dialog = new ReuseDialog(frame, review.reuse(), frame->session(), second);
    EXPECT_TRUE(dialog->matchText().Contains(_("presented before, not handed out")))
        << dialog->matchText().utf8_str();
    dialog->Destroy();
  }

  {
    ws::ReviewService review(frame->session());
    auto* dialog = new ReviewDialog(frame, review, frame->session(), first);
    ASSERT_TRUE(dialog->opened()) << dialog->errorText().utf8_str();
    ASSERT_TRUE(showOnScreen(dialog));
    screenshot("review-" + lang);
    if (lang == "zh_CN")
      EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
    // Every check is read without scrolling on a 1366×768 screen: what blocks in the list, what
    // passed in one wrapped line under it.
    EXPECT_TRUE(dialog->allChecksShown()) << dialog->checksText().utf8_str();
    EXPECT_TRUE(dialog->checksText().Contains(lang == "en" ? "Passed:" : "已通过"))
        << dialog->checksText().utf8_str();
    // What blocks is red (the buyer's ID is missing yet).
    EXPECT_TRUE(dialog->checksText().Contains("<span foreground='#b00020' weight='bold'>" +
                                              _("BLOCKS") + "</span>"))
        << dialog->checksText().utf8_str();
    // The page zooms, turns and fits again from the keyboard, wherever the focus is.
    PageView* view = dialog->pageView();
    ASSERT_NE(view, nullptr);
    const wxSize fitted = view->shownSize();
    EXPECT_LE(fitted.x, view->GetClientSize().x) << "fitted to the view's width at first";
    wxUIActionSimulator keys;
    keys.Char('=', wxMOD_CONTROL);
    keys.Char('=', wxMOD_CONTROL);
    ASSERT_TRUE(pumpUntil([&] { return view->shownSize().x > fitted.x * 3 / 2; }, 5))
        << "Ctrl++ twice: " << view->shownSize().x << " px wide, fitted " << fitted.x;
    EXPECT_GT(view->GetVirtualSize().x, view->GetClientSize().x) << "zoomed in, the page scrolls";
    screenshot("review-zoomed-" + lang);
    keys.Char('r', wxMOD_CONTROL);
    ASSERT_TRUE(pumpUntil([&] { return view->quarterTurns() == 1; }, 5));
    EXPECT_GT(view->shownSize().x, view->shownSize().y) << "a portrait page turned lies across";
    keys.Char('r', wxMOD_CONTROL);
    keys.Char('r', wxMOD_CONTROL);
    keys.Char('r', wxMOD_CONTROL);
    keys.Char('0', wxMOD_CONTROL);
    ASSERT_TRUE(pumpUntil([&] { return view->quarterTurns() == 0; }, 5));
    pumpUntil([] { return false; }, 0.2);
    EXPECT_EQ(view->shownSize(), fitted) << "four turns and Ctrl+0: as it was";
    EXPECT_FALSE(dialog->approve().empty()) << "the buyer's ID and confirmation are missing";
    // What the pharmacist reads off the paper, and the buyer's ID card.
    dialog->setField("date", toWx(rx.date));
    dialog->setField("patient_name", toWx(rx.patientName));
    dialog->setField("rx_number", toWx(rx.rxNumber));
    dialog->setPatientId("110101198005010011");
    // The drug line's quantity and unit as on the paper (approval waits for them when the photo
    // did not yield them).
    ASSERT_EQ(dialog->drugLineCount(), 1);
    dialog->setDrugLine(1, dialog->drugLineName(1), "1", toWx(rx.drugs[0].unit));
    dialog->tickAllChecked();
    dialog->setBuyerConfirmed(true);
    EXPECT_EQ(dialog->approve(), wxString()) << dialog->checksText().utf8_str();
    dialog->Destroy();
  }
  frame->refreshQueue();

  {
    ws::ReviewService review(frame->session());
    auto* dialog = new DispenseDialog(frame, frame->session(), first);
    ASSERT_TRUE(showOnScreen(dialog));
    // A refusal, however long, leaves the drug list as it was: its last row in sight.
    wxDataViewListCtrl* drugs = dialog->drugList();
    ASSERT_GT(drugs->GetItemCount(), 0);
    const int listHeight = drugs->GetClientSize().y;
    auto drugRowsInSight = [&](const char* after) {
      pumpUntil([] { return false; }, 0.2);
      const wxRect last = drugs->GetItemRect(drugs->RowToItem(drugs->GetItemCount() - 1));
      EXPECT_FALSE(last.IsEmpty()) << after;
      EXPECT_LE(last.GetBottom(), drugs->GetClientSize().y)
          << after << ": the last drug row ends at " << last.GetBottom() << " of "
          << drugs->GetClientSize().y;
      EXPECT_EQ(drugs->GetClientSize().y, listHeight) << after << ": the drug list was squeezed";
    };
    EXPECT_EQ(dialog->prepared(), wxString());
    // Unknown product: refused, red, nothing recorded.
    dialog->scan("89999990000000000012");
    EXPECT_FALSE(dialog->lastScanAccepted()) << dialog->statusText().utf8_str();
    drugRowsInSight("an unknown product");
    screenshot("dispense-refused-" + lang);
    // Each button has its own Alt key (Prepared, Partial and Print shared Alt+P once).
    EXPECT_EQ(repeatedMnemonics(dialog), std::set<std::string>{});
    // The scanner types into the dialog wherever the focus is, then Enter.
    wxUIActionSimulator sim;
    dialog->codeField()->SetFocus();
    pumpUntil([] { return false; }, 0.2);
    sim.Text("81234560000000000017");
    sim.Char(WXK_RETURN);
    ASSERT_TRUE(pumpUntil([&] { return dialog->lastScanAccepted(); }, 5))
        << dialog->statusText().utf8_str();
    // The same pack scanned twice: refused in the pharmacist's language, the detail below.
    const wxString twice = dialog->scan("81234560000000000017");
    EXPECT_FALSE(dialog->lastScanAccepted());
    EXPECT_TRUE(
        twice.Contains(wxString::FromUTF8(lang == "zh_CN" ? "本处方" : "this prescription")))
        << twice.utf8_str();
    // The detail too, with the code and the prescription.
    EXPECT_TRUE(twice.Contains(lang == "zh_CN" ? wxString::FromUTF8("已为本处方")
                                               : wxString("already scanned")))
        << twice.utf8_str();
    EXPECT_TRUE(twice.Contains("81234560000000000017")) << twice.utf8_str();
    drugRowsInSight("a pack scanned twice");
    // The scanned pack is listed; a wrong scan is taken back in the window, then scanned again.
    EXPECT_TRUE(dialog->scannedText().Contains("81234560000000000017")) << dialog->scannedText();
    EXPECT_EQ(dialog->takeBack("81234560000000000017"), wxString()) << dialog->statusText();
    EXPECT_FALSE(dialog->scannedText().Contains("81234560000000000017"));
    dialog->scan("81234560000000000017");
    EXPECT_TRUE(dialog->lastScanAccepted()) << dialog->statusText().utf8_str();
    // Handed out before the check: refused with the reason, and the window takes scans again.
    dialog->handOut();
    ASSERT_TRUE(pumpUntil([&] { return !dialog->handingOut(); }, 60));
    EXPECT_NE(dialog->lastHandOutError(), wxString()) << "the check is not recorded yet";
    EXPECT_TRUE(dialog->codeField()->IsEnabled());
    EXPECT_EQ(dialog->checked(), wxString());
    // The hand-out (a claim in the chain registry, when there is one) runs on a worker: made slow
    // here, the window goes on handling events meanwhile, refuses to close, and takes no scan.
    auto release = std::make_shared<std::atomic<bool>>(false);
    DispenseDialog::setBeforeHandOutForTests([release] { holdUntil(*release); });
    dialog->handOut();
    EXPECT_TRUE(dialog->handingOut());
    bool eventHandled = false;
    dialog->CallAfter([&] { eventHandled = true; });
    ASSERT_TRUE(pumpUntil([&] { return eventHandled; }, 10));
    EXPECT_TRUE(dialog->handingOut()) << "the window did not wait for the hand-out";
    EXPECT_FALSE(dialog->codeField()->IsEnabled());
    EXPECT_FALSE(dialog->Close()) << "closing is refused while the hand-out runs";
    *release = true;
    ASSERT_TRUE(pumpUntil([&] { return !dialog->handingOut(); }, 60));
    DispenseDialog::setBeforeHandOutForTests({});
    EXPECT_EQ(dialog->lastHandOutError(), wxString()) << dialog->statusText().utf8_str();
    EXPECT_TRUE(dialog->voucherShown());
    screenshot("dispense-voucher-" + lang);
    if (lang == "zh_CN")
      EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
    // No printer at this counter: the voucher is saved as a PDF instead; a folder that is not
    // there is named in the error.
    const std::string pdf = dir.file("voucher-" + lang + ".pdf");
    EXPECT_EQ(dialog->saveVoucherTo(wxString::FromUTF8(pdf)), wxString())
        << dialog->statusText().utf8_str();
    std::string head(5, '\0');
    std::ifstream(pdf, std::ios::binary).read(head.data(), 5);
    EXPECT_EQ(head, "%PDF-");
    EXPECT_NE(dialog->statusText().Find(wxString::FromUTF8(pdf)), wxNOT_FOUND);
    const wxString notSaved =
        dialog->saveVoucherTo(wxString::FromUTF8(dir.file("no-such-folder/voucher.pdf")));
    EXPECT_NE(notSaved.Find("no-such-folder"), wxNOT_FOUND) << notSaved.utf8_str();
    dialog->Destroy();
  }
  auto closed = data::PrescriptionRepository(frame->session().store().connection()).find(first);
  ASSERT_TRUE(closed.isOk());
  EXPECT_EQ(closed->state, data::RxState::kClosed);
  {
    // The re-photo compared with the paper handed out: the state and the rule in the window's
    // language, and when it was handed out, in Beijing time as elsewhere in the window.
    auto steps = data::PrescriptionRepository(frame->session().store().connection()).steps(first);
    ASSERT_TRUE(steps.isOk());
    std::string handedOutAt;
    for (const auto& step : *steps)
      if (step.step == data::DispenseStep::kHandOut) handedOutAt = step.at;
    ASSERT_FALSE(handedOutAt.empty());
    const wxString handedOut = wxString::Format(_("handed out on %s"), beijingTime(handedOutAt));
    frame->refreshQueue();
    int row = 0;
    while (row < frame->queue()->GetItemCount() && frame->recordAt(row) != second) ++row;
    ASSERT_LT(row, frame->queue()->GetItemCount());
    EXPECT_EQ(frame->reuseLabel(row), handedOut);
    EXPECT_EQ(cellsCutOff(frame->queue()), std::vector<std::string>{});
    screenshot("queue-after-hand-out-" + lang);
    ws::ReviewService review(frame->session());
    auto* dialog = new ReuseDialog(frame, review.reuse(), frame->session(), second);
    ASSERT_TRUE(showOnScreen(dialog));
    EXPECT_TRUE(dialog->matchText().Contains(handedOut)) << dialog->matchText().utf8_str();
    screenshot("reuse-" + lang);
    if (lang == "zh_CN")
      EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
    dialog->Destroy();
  }
  destroy(frame);
}

INSTANTIATE_TEST_SUITE_P(Languages, GuiCounter, ::testing::Values("en", "zh_CN"));

class GuiConsultations : public ::testing::TestWithParam<const char*> {};

// A consultation written at the counter is saved, found again by a word of it, and read back; a
// consultation without advice is refused naming what is missing.
TEST_P(GuiConsultations, RecordFindAndReadBack) {
  const std::string lang = GetParam();
  setupTranslations(GetParam());
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  storeWithDemoAccounts(store);
  auto wang = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(wang.isOk());
  auto* dialog = new ConsultationsDialog(nullptr, **wang);
  ASSERT_TRUE(showOnScreen(dialog));
  EXPECT_EQ(dialog->find(""), 0);
  dialog->setNew(wxString::FromUTF8("郑梓萱"), wxString::FromUTF8("布洛芬和感冒药能一起吃吗"), "",
                 wxString::FromUTF8("布洛芬缓释胶囊"), 4);
  // Named in the window's language (the service's "the advice given is empty", translated).
  EXPECT_TRUE(dialog->save().Contains(lang == "zh_CN" ? wxString::FromUTF8("建议") : "advice"))
      << dialog->errorText().utf8_str();
  dialog->setNew(wxString::FromUTF8("郑梓萱"), wxString::FromUTF8("布洛芬和感冒药能一起吃吗"),
                 wxString::FromUTF8("感冒药多含对乙酰氨基酚，不要同时服用，间隔4小时以上"),
                 wxString::FromUTF8("布洛芬缓释胶囊，复方氨酚烷胺片"), 4);
  EXPECT_EQ(dialog->save(), wxString());
  EXPECT_EQ(dialog->find(wxString::FromUTF8("感冒药")), 1);
  EXPECT_EQ(dialog->find(wxString::FromUTF8("阿司匹林")), 0);
  EXPECT_EQ(dialog->find(wxString::FromUTF8("布洛芬")), 1);
  // Selecting the row shows the whole consultation.
  wxDataViewListCtrl* list = nullptr;
  for (wxWindow* child : dialog->GetChildren())
    if (auto* l = dynamic_cast<wxDataViewListCtrl*>(child)) list = l;
  ASSERT_NE(list, nullptr);
  list->SelectRow(0);
  wxDataViewEvent selected(wxEVT_DATAVIEW_SELECTION_CHANGED, list, list->RowToItem(0));
  list->ProcessWindowEvent(selected);
  EXPECT_TRUE(dialog->detailText().Contains(wxString::FromUTF8("间隔4小时以上")))
      << dialog->detailText().utf8_str();
  screenshot("consultations-" + lang);
  if (lang == "zh_CN") {
    EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
  }
  // Typed and not saved: closing asks first; No keeps the text, Yes closes.
  EXPECT_FALSE(dialog->unsaved()) << "saved: the form was cleared";
  dialog->setNew("", wxString::FromUTF8("孕妇能吃布洛芬吗"), "", "", 5);
  EXPECT_TRUE(dialog->unsaved());
  answerNextForTests(false);
  dialog->Close();
  EXPECT_TRUE(lastQuestionForTests().Contains(lang == "zh_CN" ? wxString::FromUTF8("放弃")
                                                              : wxString("Discard")));
  EXPECT_TRUE(dialog->IsShown()) << "kept open";
  EXPECT_TRUE(dialog->unsaved()) << "the text is still there";
  answerNextForTests(true);
  dialog->Close();
  EXPECT_FALSE(dialog->IsShown());
  destroy(dialog);
}

INSTANTIATE_TEST_SUITE_P(Languages, GuiConsultations, ::testing::Values("en", "zh_CN"));

class GuiAdmin : public ::testing::TestWithParam<const char*> {};

// The administrator's screens: a user added (a pharmacist without a licence is refused first) and
// removed; a provider agreement inspected with its key fingerprint, imported and suspended with a
// reason; settings saved, a wrong value refused naming the setting while the right ones are kept.
TEST_P(GuiAdmin, UsersAgreementsAndSettings) {
  const std::string lang = GetParam();
  setupTranslations(GetParam());
  test::TempDir dir;
  const std::string store = dir.file("admin.rxdb");
  storeWithDemoAccounts(store);
  auto admin = ws::Session::login(store, ws::kDemoAdmin, ws::kDemoPassword);
  ASSERT_TRUE(admin.isOk());
  auto* dialog = new AdminDialog(nullptr, **admin);
  ASSERT_TRUE(showOnScreen(dialog));
  ASSERT_EQ(dialog->pages()->GetPageCount(), 3u);
  screenshot("admin-users-" + lang);
  if (lang == "zh_CN") {
    EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
  }

  EXPECT_EQ(dialog->userRows(), 2);
  data::NewUser li{"li", data::Role::kPharmacist, "李药师", std::nullopt};
  EXPECT_FALSE(dialog->addUser(li, "li-password-1").empty()) << "a pharmacist needs a licence";
  EXPECT_EQ(dialog->userRows(), 2);
  li.licenceNo = "ZY-2";
  EXPECT_EQ(dialog->addUser(li, "li-password-1"), wxString()) << dialog->errorText();
  EXPECT_EQ(dialog->userRows(), 3);
  EXPECT_TRUE(ws::Session::login(store, "li", "li-password-1").isOk());
  EXPECT_EQ(dialog->removeUser("li"), wxString()) << dialog->errorText();
  EXPECT_EQ(dialog->userRows(), 2);
  EXPECT_FALSE(ws::Session::login(store, "li", "li-password-1").isOk());

  // A provider's signed agreement, as it arrives on a USB stick.
  const crypto::SigningKey provider = crypto::SigningKey::generate(crypto::KeyType::kSm2);
  auto text = ws::signAgreement(
      ws::demoAgreementDraft("AG-GUI-1", "示例互联网医院", "12440000455858776H", "示例大药房",
                             "91440300708461136T", "2026-01-01", "2099-12-31"),
      provider, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(text.isOk());
  const std::string file = dir.file("agreement.json");
  std::ofstream(file) << *text;
  dialog->pages()->SetSelection(1);
  // An agreement is checked against this pharmacy's 统一社会信用代码: none set, none imported.
  EXPECT_FALSE(dialog->importAgreement(file, false).empty());
  EXPECT_EQ(dialog->agreementRows(), 0);
  ASSERT_TRUE(ws::SettingsService(**admin).set("pharmacy.uscc", "91440300708461136T").isOk());
  EXPECT_EQ(dialog->agreementRows(), 0);
  EXPECT_EQ(dialog->importAgreement(file, false), wxString()) << dialog->errorText();
  EXPECT_TRUE(dialog->agreementPreview().Contains(toWx(provider.publicKey().keyId())))
      << "the supervisor compares the key fingerprint before accepting";
  ASSERT_EQ(dialog->agreementRows(), 1);
  EXPECT_TRUE(dialog->agreementDetail().Contains(toWx(provider.publicKey().keyId())));
  EXPECT_FALSE(dialog->importAgreement(dir.file("missing.json"), false).empty());
  EXPECT_FALSE(dialog->changeAgreement(0, data::AgreementStatus::kSuspended, " ").empty())
      << "a reason is required";
  EXPECT_EQ(dialog->changeAgreement(0, data::AgreementStatus::kSuspended,
                                    wxString::FromUTF8("合同续签中")),
            wxString())
      << dialog->errorText();
  EXPECT_TRUE(dialog->agreementDetail().Contains(wxString::FromUTF8("合同续签中")));
  screenshot("admin-agreements-" + lang);
  if (lang == "zh_CN") {
    EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
  }

  dialog->pages()->SetSelection(2);
  ASSERT_TRUE(dialog->setFormValue("session.idle_lock_minutes", "12"));
  ASSERT_TRUE(dialog->setFormValue("review.second_pharmacist_check", "true"));
  ASSERT_TRUE(dialog->setFormValue("pharmacy.uscc", "not-a-code"));
  const wxString refused = dialog->saveSettings();
  EXPECT_FALSE(refused.empty());
  EXPECT_EQ(dialog->settingValue("pharmacy.uscc"), "not-a-code") << "kept to be corrected";
  ws::SettingsService settings(**admin);
  EXPECT_EQ(settings.get("pharmacy.uscc")->value, "91440300708461136T") << "the stored one stays";
  ASSERT_TRUE(dialog->setFormValue("pharmacy.uscc", "91350100M000100Y43"));
  EXPECT_EQ(dialog->saveSettings(), wxString()) << dialog->errorText();
  EXPECT_EQ(settings.get("session.idle_lock_minutes")->value, "12");
  EXPECT_EQ(settings.get("review.second_pharmacist_check")->value, "true");
  EXPECT_EQ(settings.get("pharmacy.uscc")->value, "91350100M000100Y43");
  screenshot("admin-settings-" + lang);
  if (lang == "zh_CN") {
    EXPECT_EQ(latinWordsShown(dialog, kCodesAndNames), std::set<std::string>{});
  }
  destroy(dialog);

  // A pharmacist reads agreements and settings but changes neither and sees no users.
  auto wang = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(wang.isOk());
  auto* readOnly = new AdminDialog(nullptr, **wang);
  EXPECT_EQ(readOnly->pages()->GetPageCount(), 2u);
  EXPECT_EQ(readOnly->agreementRows(), 1);
  ASSERT_TRUE(readOnly->setFormValue("session.idle_lock_minutes", "30"));
  EXPECT_FALSE(readOnly->saveSettings().empty()) << "a pharmacist's change is refused";
  EXPECT_EQ(settings.get("session.idle_lock_minutes")->value, "12");
  destroy(readOnly);
}

INSTANTIATE_TEST_SUITE_P(Languages, GuiAdmin, ::testing::Values("en", "zh_CN"));

// A scanner's folder: a photo that appears is taken in once it has stopped changing and moved to
// "taken-in"; a file that cannot be read goes to "not-taken-in" with the reason shown; nothing is
// taken in twice.
TEST(GuiWatchedFolder, NewFilesAreTakenInOnceAndMovedAside) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("watch.rxdb");
  storeWithDemoAccounts(store);
  const std::string scans = dir.file("scans");
  std::filesystem::create_directories(scans);
  {
    auto admin = ws::Session::login(store, ws::kDemoAdmin, ws::kDemoPassword);
    ASSERT_TRUE(admin.isOk());
    ASSERT_TRUE(ws::SettingsService(**admin).set("intake.watch_folder", scans).isOk());
  }
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  EXPECT_EQ(frame->pollWatchedFolder(), 0u);

  ws::RxGenerator gen(20261123, ocr::defaultCataloguePath());
  ws::CaptureOptions gentle;
  gentle.sidewaysProbability = gentle.upsideDownProbability = gentle.shadowProbability = 0;
  const auto jpeg = gen.photograph(gen.render(gen.content(1)), gentle);
  const std::string photo = scans + "/scan-0001.jpg";
  std::ofstream(photo, std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  std::ofstream(scans + "/broken.jpg") << "not an image";
  std::ofstream(scans + "/notes.txt") << "not a prescription";
  EXPECT_EQ(frame->pollWatchedFolder(), 0u) << "first seen: the scanner may still be writing";
  EXPECT_EQ(frame->pollWatchedFolder(), 2u);
  ASSERT_TRUE(pumpUntil([&] { return !frame->intakeRunning(); }, 60));
  ASSERT_EQ(frame->intakeOutcomes().size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(scans + "/taken-in/scan-0001.jpg"));
  EXPECT_TRUE(std::filesystem::exists(scans + "/not-taken-in/broken.jpg"));
  EXPECT_FALSE(std::filesystem::exists(photo));
  EXPECT_TRUE(std::filesystem::exists(scans + "/notes.txt")) << "other files are left alone";
  EXPECT_TRUE(frame->intakeSummary().Contains("broken.jpg")) << frame->intakeSummary();
  EXPECT_TRUE(frame->intakeDetailsOffered()) << "the reasons are a click away, not clipped";
  EXPECT_EQ(frame->queue()->GetItemCount(), 1);
  EXPECT_EQ(frame->pollWatchedFolder(), 0u);
  EXPECT_EQ(frame->pollWatchedFolder(), 0u) << "nothing is taken in twice";
  // The phone reuses the name for its next photo: taken in, and kept beside the first.
  std::ofstream(photo, std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  frame->pollWatchedFolder();
  EXPECT_EQ(frame->pollWatchedFolder(), 1u);
  ASSERT_TRUE(pumpUntil([&] { return !frame->intakeRunning(); }, 60));
  EXPECT_TRUE(std::filesystem::exists(scans + "/taken-in/scan-0001-2.jpg"));
  EXPECT_EQ(frame->queue()->GetItemCount(), 2);
  destroy(frame);
}

// Several photos chosen (or dropped) at once are taken in in the order they were taken, not by
// their names: the earlier photo of a paper stays the original and the later one is flagged.
TEST(GuiIntake, SeveralPhotosAreTakenInInTheOrderTheyWereTaken) {
  setupTranslations("en");
  test::TempDir dir;
  const std::string store = dir.file("order.rxdb");
  storeWithDemoAccounts(store);
  auto session = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(session.isOk());
  auto* frame = new MainFrame(std::move(*session));
  ASSERT_TRUE(showOnScreen(frame));
  ws::RxGenerator gen(20261202, ocr::defaultCataloguePath());
  ws::CaptureOptions gentle;
  gentle.sidewaysProbability = gentle.upsideDownProbability = gentle.shadowProbability = 0;
  const cv::Mat paper = gen.render(gen.content(2));
  auto photo = [&](const std::string& name, const std::string& taken) {
    test::ExifTags tags;
    tags.dateTimeOriginal = taken;
    const auto jpeg = test::withExif(gen.photograph(paper, gentle), tags);
    std::ofstream(dir.file(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()),
               static_cast<std::streamsize>(jpeg.size()));
    return dir.file(name);
  };
  const std::string later = photo("a.jpg", "2026:12:02 08:15:30");
  const std::string earlier = photo("b.jpg", "2026:12:02 08:14:02");
  ASSERT_TRUE(frame->takeIn({later, earlier}));
  ASSERT_TRUE(pumpUntil([&] { return !frame->intakeRunning(); }, 60));
  const auto& outcomes = frame->intakeOutcomes();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].file, earlier);
  EXPECT_FALSE(outcomes[0].reuse);
  EXPECT_EQ(outcomes[1].file, later);
  EXPECT_TRUE(outcomes[1].reuse) << "the later photo is the re-photo";
  // Photos without EXIF (a scanner's, a messenger's copy) come in by their files' time.
  const cv::Mat another = gen.render(gen.content(3));
  auto plain = [&](const std::string& name, std::chrono::minutes age) {
    const auto jpeg = gen.photograph(another, gentle);
    std::ofstream(dir.file(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()),
               static_cast<std::streamsize>(jpeg.size()));
    std::filesystem::last_write_time(dir.file(name),
                                     std::filesystem::file_time_type::clock::now() - age);
    return dir.file(name);
  };
  const std::string newer = plain("c.jpg", std::chrono::minutes(1));
  const std::string older = plain("d.jpg", std::chrono::minutes(5));
  ASSERT_TRUE(frame->takeIn({newer, older}));
  ASSERT_TRUE(pumpUntil([&] { return !frame->intakeRunning(); }, 60));
  ASSERT_EQ(frame->intakeOutcomes().size(), 2u);
  EXPECT_EQ(frame->intakeOutcomes()[0].file, older);
  EXPECT_EQ(frame->intakeOutcomes()[1].file, newer);
  destroy(frame);
}

class GuiSampling : public ::testing::TestWithParam<const char*> {};

// What the sampling windows may show besides kCodesAndNames: the date fields' YYYY-MM-DD hint
// besides codes and names; the criteria ("不规范处方 irregular prescription" as stored) show their
// Chinese part only.
std::set<std::string> samplingWords() {
  std::set<std::string> allowed = kCodesAndNames;
  allowed.insert("YYYY");
  return allowed;
}

// 处方点评 on screen: the supervisor draws today's decisions and consultation, reads each item,
// scores one inappropriate (a reason is required) and the rest appropriate, and closes the round
// signed; the pharmacist then sees the findings about their work; an export for inspectors runs
// with the same supervisor.
TEST_P(GuiSampling, DrawScoreCloseAndThePharmacistSeesTheFindings) {
  const std::string lang = GetParam();
  setupTranslations(GetParam());
  test::TempDir dir;
  const std::string store = dir.file("demo.rxdb");
  ASSERT_TRUE(ws::ensureDemoStore(store));
  {
    auto wang = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
    ASSERT_TRUE(wang.isOk());
    ws::ReviewService review(**wang);
    auto queue = review.queue();
    ASSERT_TRUE(queue.isOk() && queue->size() >= 2);
    for (std::size_t i = 0; i < 2; ++i) {
      ASSERT_TRUE(review.startReview(queue->at(i).id).isOk());
      ASSERT_TRUE(
          review.decide(queue->at(i).id, {ws::Decision::kReject, {"expired"}, "", false}).isOk());
    }
    ws::NewConsultation c;
    c.question = "这个药孕妇能用吗";
    c.advice = "请咨询医生";
    ASSERT_TRUE(ws::ConsultationService(**wang).record(c).isOk());
  }
  auto zhou = ws::Session::login(store, ws::kDemoSupervisor, ws::kDemoPassword);
  ASSERT_TRUE(zhou.isOk());
  auto* dialog = new SamplingDialog(nullptr, **zhou);
  ASSERT_TRUE(showOnScreen(dialog));
  EXPECT_EQ(dialog->roundRows(), 0);
  const wxString today = toWx(rx::beijingToday());
  EXPECT_FALSE(dialog->createRound(today, "2020-01-01", 100).empty()) << "dates out of order";
  EXPECT_EQ(dialog->createRound(today, today, 100), wxString()) << dialog->errorText();
  ASSERT_EQ(dialog->roundRows(), 1);
  ASSERT_EQ(dialog->itemRows(), 3);
  bool sawConsultation = false;
  int decision = -1;
  for (int row = 0; row < 3; ++row) {
    dialog->selectItem(row);
    sawConsultation = sawConsultation || dialog->itemText().Contains(wxString::FromUTF8("孕妇"));
    // The signed reason code, in the window's language.
    if (dialog->itemText().Contains(lang == "zh_CN" ? wxString::FromUTF8("处方已过期")
                                                    : wxString("prescription expired")))
      decision = row;
  }
  EXPECT_TRUE(sawConsultation) << "the consultation is shown in full";
  ASSERT_NE(decision, -1) << "a decision is shown with its reason";
  dialog->selectItem(decision);
  EXPECT_FALSE(dialog->scoreItem(false, {}, "").empty()) << "inappropriate needs a reason";
  EXPECT_EQ(dialog->scoreItem(false, {3}, wxString::FromUTF8("过期处方应当场说明")), wxString())
      << dialog->errorText();
  EXPECT_FALSE(dialog->closeRound().empty()) << "two items are not scored yet";
  EXPECT_EQ(cellsCutOff(dialog->itemList()), std::vector<std::string>{});
  EXPECT_EQ(repeatedMnemonics(dialog), std::set<std::string>{}) << "Alt+S was once shared";
  screenshot("sampling-" + lang);
  if (lang == "zh_CN") {
    EXPECT_EQ(latinWordsShown(dialog, samplingWords()), std::set<std::string>{});
  }
  EXPECT_TRUE(dialog->allReasonsShown()) << "every reason in sight at 1366×768";
  for (int row = 0; row < 3; ++row) {
    if (row == decision) continue;
    dialog->selectItem(row);
    EXPECT_EQ(dialog->scoreItem(true, {}, ""), wxString()) << dialog->errorText();
  }
  // The button asks first: a signed round cannot be changed. No leaves it open.
  answerNextForTests(false);
  EXPECT_EQ(dialog->closeRoundAsked(), wxString());
  EXPECT_TRUE(lastQuestionForTests().Contains(lang == "zh_CN" ? wxString::FromUTF8("签名")
                                                              : wxString("sign it")))
      << lastQuestionForTests().utf8_str();
  EXPECT_FALSE(ws::SamplingService(**zhou).verify(1).isOk()) << "not closed: nothing signed yet";
  answerNextForTests(true);
  EXPECT_EQ(dialog->closeRoundAsked(), wxString()) << dialog->errorText();
  EXPECT_TRUE(ws::SamplingService(**zhou).verify(1).isOk()) << "the round is signed";
  EXPECT_FALSE(dialog->scoreItem(true, {}, "").empty()) << "a closed round is not rescored";
  destroy(dialog);

  auto wang = ws::Session::login(store, ws::kDemoPharmacist, ws::kDemoPassword);
  ASSERT_TRUE(wang.isOk());
  auto* findings = new SamplingDialog(nullptr, **wang);
  ASSERT_TRUE(showOnScreen(findings));
  EXPECT_EQ(findings->findingRows(), 3);
  screenshot("findings-" + lang);
  if (lang == "zh_CN")
    EXPECT_EQ(latinWordsShown(findings, samplingWords()), std::set<std::string>{});
  destroy(findings);

  // The export for inspectors, from the supervisor's window.
  auto* frame = new MainFrame(std::move(*zhou));
  const std::string out = dir.file("export");
  ASSERT_TRUE(pumpUntil([&] { return !frame->storeTaskRunning(); }, 60)) << "the launch check";
  EXPECT_TRUE(frame->exportTo(out, fromWx(today), fromWx(today), true).isOk());
  ASSERT_TRUE(pumpUntil([&] { return !frame->storeTaskRunning(); }, 120));
  EXPECT_TRUE(frame->lastStoreTask().isOk()) << frame->lastStoreTask().message();
  EXPECT_TRUE(ws::verifyExport(out).isOk());
  destroy(frame);
}

INSTANTIATE_TEST_SUITE_P(Languages, GuiSampling, ::testing::Values("en", "zh_CN"));

class TestApp : public wxApp {
 public:
  bool OnInit() override { return true; }
};

}  // namespace
}  // namespace rx::gui

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // wxWidgets assertions are test failures, never dialogs.
  wxSetAssertHandler([](const wxString& file, int line, const wxString& func, const wxString& cond,
                        const wxString& msg) {
    ADD_FAILURE_AT(file.utf8_str(), line) << "wxWidgets assertion in " << func.utf8_str() << ": "
                                          << cond.utf8_str() << " " << msg.utf8_str();
  });
  wxApp::SetInstance(new rx::gui::TestApp);
  if (!wxEntryStart(argc, argv)) {
    std::fprintf(stderr, "gui_tests: cannot start wxWidgets (is there an X display?)\n");
    return 1;
  }
  wxTheApp->CallOnInit();
  int rc = RUN_ALL_TESTS();
  wxEntryCleanup();
  return rc;
}
