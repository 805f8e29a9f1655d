#include "main_frame.h"

#include <wx/aboutdlg.h>
#include <wx/choice.h>
#include <wx/dataview.h>
#include <wx/intl.h>
#include <wx/menu.h>
#include <wx/panel.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/statusbr.h>

#include <wx/button.h>
#include <wx/dirdlg.h>
#include <wx/dnd.h>
#include <wx/filedlg.h>
#include <wx/gauge.h>
#include <wx/infobar.h>
#include <wx/msgdlg.h>
#include <wx/progdlg.h>
#include <wx/textdlg.h>
#include <wx/timer.h>

#include <atomic>

#include <spdlog/spdlog.h>

#include "admin_dialog.h"
#include "base/time.h"
#include "base/utf8.h"
#include "consultations_dialog.h"
#include "dashboard_dialog.h"
#include "dispense_dialog.h"
#include "export_dialog.h"
#include "intake_job.h"
#include "login_dialog.h"
#include "reuse_dialog.h"
#include "review_dialog.h"
#include "sampling_dialog.h"
#include "workstation/agreements.h"
#include "workstation/backup.h"
#include "workstation/export.h"
#include "workstation/paths.h"
#include "workstation/review.h"
#include "workstation/settings.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {
// Files and folders dropped anywhere on the queue are taken in (folders: their photos and JSON).
class IntakeDropTarget : public wxFileDropTarget {
 public:
  explicit IntakeDropTarget(MainFrame* frame) : frame_(frame) {}
  bool OnDropFiles(wxCoord, wxCoord, const wxArrayString& names) override {
    std::vector<std::string> files;
    for (const wxString& name : names) {
      const std::string path = fromWx(name);
      if (wxDirExists(name)) {
        for (auto& f : ws::intakeFilesIn(path)) files.push_back(std::move(f));
      } else {
        files.push_back(path);
      }
    }
    return frame_->takeIn(std::move(files));
  }

 private:
  MainFrame* frame_;
};
}  // namespace

MainFrame::MainFrame(std::unique_ptr<ws::Session> session)
    : wxFrame(nullptr, wxID_ANY, _("rxdesk — prescription queue")),
      session_(std::move(session)),
      review_(std::make_unique<ws::ReviewService>(*session_)) {
  buildMenu();
  Bind(
      wxEVT_MENU, [this](wxCommandEvent&) { Close(); }, wxID_EXIT);
  Bind(wxEVT_MENU, &MainFrame::onAbout, this, wxID_ABOUT);
  panel_ = new wxPanel(this);
  auto* top = new wxBoxSizer(wxVERTICAL);
  buildHeader(top);
  buildBars(top);
  buildQueue(top);
  panel_->SetSizer(top);
  buildStatusBar();

  SetSize(FromDIP(wxSize(1100, 680)));
  SetMinSize(FromDIP(wxSize(800, 500)));
  CentreOnScreen();
  refreshQueue();
  queue_->SetFocus();  // arrows choose, Enter opens: the counter works from the keyboard
  // Key presses anywhere in the window count as activity; the app's event filter adds clicks.
  Bind(wxEVT_CHAR_HOOK, &MainFrame::onKey, this);
  startTimers();
  noteActivity();
  CallAfter([this] {
    checkBackup();
    warnIfRekeyPending();
    tickChainStatus();
  });
}

void MainFrame::buildHeader(wxSizer* top) {
  auto* header = new wxBoxSizer(wxHORIZONTAL);
  auto* title = makeHeading(panel_, _("Prescriptions waiting"), 3);
  header->Add(title, 0, wxALIGN_CENTER_VERTICAL);
  header->AddStretchSpacer();
  header->Add(new wxStaticText(panel_, wxID_ANY, _("Show:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT,
              6);
  wxArrayString filters;
  filters.Add(_("Waiting and in review"));
  filters.Add(_("Approved, not yet dispensed"));
  filters.Add(_("All of today"));
  filter_ = new wxChoice(panel_, wxID_ANY, wxDefaultPosition, wxDefaultSize, filters);
  filter_->SetSelection(0);
  header->Add(filter_, 0, wxALIGN_CENTER_VERTICAL);
  top->Add(header, 0, wxEXPAND | wxALL, 10);
}

void MainFrame::buildBars(wxSizer* top) {
  infoBar_ = new wxInfoBar(panel_);
  // Our own Close: GTK's default one is labelled in the system's language, not rxdesk's.
  infoBar_->AddButton(wxID_CLOSE, _("Close"));
  infoBar_->Bind(
      wxEVT_BUTTON, [this](wxCommandEvent&) { showIntakeDetails(); }, kIntakeDetailsId);
  top->Add(infoBar_, 0, wxEXPAND);
  intakeRow_ = new ProgressRow(panel_, _("Cancel intake"), [this] { cancelIntake(); });
  top->Add(intakeRow_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 10);
  taskRow_ = new ProgressRow(panel_, _("Cancel"), [this] { cancelStoreTask(); });
  top->Add(taskRow_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 10);
}

void MainFrame::buildQueue(wxSizer* top) {
  queue_ = new wxDataViewListCtrl(panel_, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                  wxDV_ROW_LINES | wxDV_SINGLE);
  // The record number (what every dialog names) and the first drug tell rows apart when the
  // masked names are alike (three 赵* in a morning).
  // Each column is fitted to its longest text when the rows are filled (refreshQueue).
  appendTextColumns(queue_, {{_("No."), 50},
                             {_("State"), 100},
                             {_("Arrived"), 130},
                             {_("Kind"), 80},
                             {_("Patient"), 90},
                             {_("First drug"), 150},
                             {_("Signature"), 90},
                             {_("Reuse"), 190},
                             {_("Checks"), 160}});
  static_cast<wxDataViewTextRenderer*>(queue_->GetColumn(kReuseColumn)->GetRenderer())
      ->EnableMarkup();
  top->Add(queue_, 1, wxEXPAND | wxLEFT | wxRIGHT, 10);
  queue_->Bind(wxEVT_DATAVIEW_ITEM_ACTIVATED, [this](wxDataViewEvent& e) {
    const int row = queue_->ItemToRow(e.GetItem());
    if (row >= 0 && row < static_cast<int>(rows_.size())) openRecord(rows_[row]);
  });
  panel_->SetDropTarget(new IntakeDropTarget(this));
  queue_->SetDropTarget(new IntakeDropTarget(this));

  emptyNote_ = new wxStaticText(
      panel_, wxID_ANY, _("No prescriptions are waiting. Prescriptions you take in appear here."));
  emptyNote_->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
  top->Add(emptyNote_, 0, wxALL, 10);
}

void MainFrame::buildStatusBar() {
  CreateStatusBar(4);
  const int widths[] = {-1, -2, -2, -3};
  GetStatusBar()->SetStatusWidths(4, widths);
  chainStatus_ = std::make_unique<ChainStatusJob>(this, [this](const wxString& text, bool warn) {
    SetStatusText(warn && !text.empty() ? wxString::FromUTF8("⚠ ") + text : text, 3);
  });
  showUser();
}

void MainFrame::onKey(wxKeyEvent& e) {
  noteActivity();
  // Enter on the queue opens the selected prescription. (GTK opens the row under its cursor
  // only once an arrow key has moved it, not the row selected for the pharmacist.)
  const int key = e.GetKeyCode();
  wxWindow* focus = wxWindow::FindFocus();
  if ((key == WXK_RETURN || key == WXK_NUMPAD_ENTER) && !e.HasAnyModifiers() && focus &&
      (focus == queue_ || queue_->IsDescendant(focus))) {
    const int row = queue_->GetSelectedRow();
    if (row >= 0 && row < static_cast<int>(rows_.size())) {
      openRecord(rows_[row]);
      return;
    }
  }
  e.Skip();
}

void MainFrame::startTimers() {
  timer_.SetOwner(this, wxWindow::NewControlId());
  Bind(wxEVT_TIMER, &MainFrame::onTimer, this, timer_.GetId());
  timer_.Start(15 * 1000);
  watchTimer_.SetOwner(this, wxWindow::NewControlId());
  Bind(
      wxEVT_TIMER, [this](wxTimerEvent&) { pollWatchedFolder(); }, watchTimer_.GetId());
  watchTimer_.Start(3 * 1000);
}

void MainFrame::tickChainStatus() {
  if (locked() || chainStatus_->busy() || !ws::ChainService(*session_).joined()) return;
  auto worker = session_->forWorker();
  if (worker) chainStatus_->tick(std::move(*worker));
}

void MainFrame::warnIfRekeyPending() {
  if (session_->user().role != data::Role::kAdmin || !session_->store().rekeyPending()) return;
  infoBar_->ShowMessage(
      _("Removing a user was cut off before the store was re-keyed: the removed user's old key "
        "still opens it. Close the other programs that have the store open, then log in again to "
        "finish it."),
      wxICON_WARNING);
}

namespace {
std::atomic<std::int64_t> lastActivityMs{0};
std::int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void MainFrame::noteActivity() { lastActivityMs = steadyMs(); }

MainFrame::~MainFrame() {
  storeTask_.reset();  // waits for a backup or export being written (first: it reports here)
  intake_.reset();     // cancels and waits for the worker
  chainStatus_.reset();
}

void MainFrame::showUser() {
  const auto& u = session_->user();
  const wxString who = wxString::Format(_("%s (%s)"), toWx(u.displayName),
                                        roleLabel(std::string(data::roleName(u.role))));
  // The user's field as wide as the name (whoever is logged in now); the store's path gives way
  // to what a backup or an export reports.
  const int widths[] = {GetStatusBar()->GetTextExtent(who).x + FromDIP(24), -1, -3, -4};
  GetStatusBar()->SetStatusWidths(4, widths);
  SetStatusText(who, 0);
  SetStatusText(wxString::Format(_("Store: %s"), toWx(session_->store().path())), 1);
}

void MainFrame::onTimer(wxTimerEvent&) {
  if (locked()) return;
  auto minutes = ws::SettingsService(*session_).get("session.idle_lock_minutes");
  const std::int64_t idleMs = steadyMs() - lastActivityMs;
  if (minutes && idleMs >= std::stoll(minutes->value) * 60 * 1000) {
    spdlog::info("workstation locked after {} idle minutes", minutes->value);
    lock();
    return;
  }
  if (std::chrono::steady_clock::now() - lastBackupCheck_ > std::chrono::minutes(30)) checkBackup();
  tickChainStatus();
}

void MainFrame::lock() {
  if (locked()) return;
  // Nothing of the queue stays on screen while the pharmacist is away.
  panel_->Hide();
  SetTitle(_("rxdesk — locked"));
  LoginDialog::Options options{session_->store().path(), session_->user().name,
                               _("The workstation is locked. Enter your password to go on, or log "
                                 "in as another user.")};
  lockDialog_ = new LoginDialog(this, options);
  lockDialog_->Bind(wxEVT_SHOW, [this](wxShowEvent& e) {
    e.Skip();
    if (e.IsShown() || !lockDialog_) return;
    auto* dialog = lockDialog_;
    auto session = dialog->takeSession();
    lockDialog_ = nullptr;
    dialog->Destroy();
    if (!session) {
      Close();  // "Quit" on the lock screen ends the program
      return;
    }
    unlocked(std::move(session));
  });
  lockDialog_->Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& e) {
    e.Skip();
    lockDialog_ = nullptr;
    Close();
  });
  lockDialog_->Show();
}

void MainFrame::unlocked(std::unique_ptr<ws::Session> session) {
  if (session->user().name != session_->user().name) {
    // Another user took over the counter: the window is theirs now.
    spdlog::info("workstation unlocked by another user");
    intake_.reset();  // cancels and waits for the worker, which works as the previous user
    intakeWorker_ = {};
    intakeRow_->finish();
    review_.reset();
    session_ = std::move(session);
    review_ = std::make_unique<ws::ReviewService>(*session_);
    buildMenu();  // what this user may do: Figures, Audit sampling, Export follow the role
    showUser();
    // A backup or export the previous user started runs on; only they may cancel it.
    if (storeTaskRunning())
      taskRow_->cancelButton()->Enable(session_->user().name == storeTaskStartedBy_);
  }
  SetTitle(_("rxdesk — prescription queue"));
  panel_->Show();
  Layout();
  noteActivity();
  refreshQueue();
  warnIfRekeyPending();
}

}  // namespace rx::gui
