// MainFrame: taking files in (chosen, dropped or from the watched folder) and the summary bar.
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

bool MainFrame::intakeRunning() const { return intake_ && intake_->running(); }

void MainFrame::cancelIntake() {
  if (intake_) intake_->cancel();
  intakeRow_->cancelling(_("Cancelling after the file being read…"));
}

wxString MainFrame::intakeSummary() const { return intakeSummary_; }

wxString MainFrame::reuseLabel(int row) const {
  return row >= 0 && row < static_cast<int>(reuseLabels_.size()) ? reuseLabels_[row] : wxString();
}

bool MainFrame::takeIn(std::vector<std::string> files) {
  if (intakeRunning() || files.empty()) return false;
  if (!intakeWorker_.session) {
    // The worker's own connection, for this intake.
    auto worker = session_->forWorker();
    if (!worker) {
      infoBar_->ShowMessage(explainInline(worker.status(), _("Nothing was taken in.")),
                            wxICON_ERROR);
      return false;
    }
    intakeWorker_.session = std::move(*worker);
    intakeWorker_.review = std::make_unique<ws::ReviewService>(*intakeWorker_.session);
  }
  watchIntake_ = false;
  intake_.reset();
  outcomes_.clear();
  infoBar_->Dismiss();
  intakeRow_->start(_("Taking in…"), static_cast<int>(files.size()));
  panel_->Layout();
  spdlog::info("intake of {} file(s) started", files.size());
  IntakeJob::Callbacks callbacks;
  callbacks.starting = [this](std::size_t i, std::size_t total, const std::string& file) {
    intakeRow_->say(
        wxString::Format(_("Reading %zu of %zu: %s"), i + 1, total, toWx(utf8OrEscaped(file))));
    intakeRow_->advance(static_cast<int>(i));
  };
  callbacks.presented = [this](const std::string& file, std::int64_t record, bool reuse,
                               const Status& error) { presented(file, record, reuse, error); };
  callbacks.finished = [this](bool cancelled) { intakeFinished(cancelled); };
  intake_ =
      std::make_unique<IntakeJob>(this, intakeWorker_, std::move(files), std::move(callbacks));
  return true;
}

namespace {
// Why a file was not taken in, in the pharmacist's words; the service's message follows as detail.
wxString intakeHeadline(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kCorrupt:
    case ErrorCode::kUnsupported:
      return _(
          "not a photo or e-prescription rxdesk can read (damaged, too large, or another "
          "kind of file).");
    case ErrorCode::kNotFound:
      return _("the file is no longer there.");
    default:
      return wxString();
  }
}
}  // namespace

void MainFrame::presented(const std::string& file, std::int64_t record, bool reuse,
                          const Status& error) {
  IntakeOutcome outcome;
  outcome.file = file;
  outcome.record = record;
  outcome.reuse = reuse;
  if (record == 0) {
    outcome.error = explainInline(error, intakeHeadline(error));
    spdlog::warn("intake: a file was not taken in ({})", errorCodeName(error.code()));
  }
  outcomes_.push_back(std::move(outcome));
  intakeRow_->advance(static_cast<int>(outcomes_.size()));
  refreshQueue();
}

void MainFrame::intakeFinished(bool cancelled) {
  intakeRow_->finish();
  // The worker's connection holds the store shared: closed once the job is over (after this
  // callback returns), so that restoring, purging or removing a user from this window is not
  // refused as busy because of it.
  CallAfter([this] {
    if (intakeRunning()) return;
    intake_.reset();
    intakeWorker_ = {};
  });
  const auto taken = std::count_if(outcomes_.begin(), outcomes_.end(),
                                   [](const IntakeOutcome& o) { return o.record != 0; });
  wxString text = wxString::Format(_("Took in %lld of %zu file(s)."), static_cast<long long>(taken),
                                   outcomes_.size());
  if (cancelled) text += " " + _("Intake was cancelled; the remaining files were not read.");
  // A prescription presented before must not go unnoticed: named here, red in the queue.
  wxString reused;
  for (const auto& o : outcomes_)
    if (o.reuse) reused << (reused.empty() ? "" : ", ") << o.record;
  if (!reused.empty())
    text += " " + wxString::FromUTF8("⚠ ") +
            wxString::Format(_("Presented before: record %s. Open it before anything is handed "
                               "out."),
                             reused);
  for (const auto& o : outcomes_) {
    if (o.record == 0)
      text +=
          "\n" + wxString::Format(_("Not taken in: %s — %s"), toWx(utf8OrEscaped(o.file)), o.error);
  }
  intakeSummary_ = text;
  const bool problems =
      cancelled || taken < static_cast<long long>(outcomes_.size()) || !reused.empty();
  showIntakeSummary(problems);  // lays the panel out
  spdlog::info("intake finished: {} of {} taken in{}", taken, outcomes_.size(),
               cancelled ? ", cancelled" : "");
  if (watchIntake_) {
    // Out of the watched folder, so that no file is taken in twice; a file that could not be
    // read goes aside with the reason shown above. Files a cancel left unread stay.
    for (const auto& o : outcomes_) {
      if (!watched_) break;
      auto moved = watched_->putAside(o.file, o.record != 0);
      if (moved || moved.status().code() == ErrorCode::kNotFound) continue;  // gone meanwhile
      spdlog::warn("watched folder: a file could not be moved aside ({})",
                   errorCodeName(moved.status().code()));
      intakeSummary_ +=
          "\n" + wxString::Format(_("Could not move %s out of the watched folder "
                                    "(%s); take it out by hand."),
                                  toWx(utf8OrEscaped(o.file)), toWx(moved.status().message()));
      showIntakeSummary(true);
    }
  }
  // The job is finished; it is released at the next intake or when the window closes.
}

// The infobar has room for one line: the count, and a Details… button for the files that were
// not taken in (a folder may hold hundreds, each with its reason).
void MainFrame::showIntakeSummary(bool problems) {
  const wxString first = intakeSummary_.BeforeFirst('\n');
  const bool more = first.size() < intakeSummary_.size();
  intakeDetailsOffered_ = more;
  if (infoBar_->HasButtonId(kIntakeDetailsId)) infoBar_->RemoveButton(kIntakeDetailsId);
  if (more) infoBar_->AddButton(kIntakeDetailsId, _("Details…"));
  infoBar_->ShowMessage(first, problems ? wxICON_WARNING : wxICON_INFORMATION);
  panel_->Layout();
}

void MainFrame::showIntakeDetails() {
  wxDialog dialog(this, wxID_ANY, _("What was not taken in"), wxDefaultPosition, wxDefaultSize,
                  wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER);
  auto* top = new wxBoxSizer(wxVERTICAL);
  top->Add(new wxTextCtrl(&dialog, wxID_ANY, intakeSummary_, wxDefaultPosition,
                          dialog.FromDIP(wxSize(760, 320)), wxTE_MULTILINE | wxTE_READONLY),
           1, wxEXPAND | wxALL, 10);
  top->Add(makeCloseButton(&dialog), 0, wxALIGN_RIGHT | wxLEFT | wxRIGHT | wxBOTTOM, 10);
  dialog.SetSizerAndFit(top);
  dialog.CentreOnParent();
  dialog.ShowModal();
}

std::size_t MainFrame::pollWatchedFolder() {
  if (locked() || intakeRunning()) return 0;
  auto setting = ws::SettingsService(*session_).get("intake.watch_folder");
  const std::string folder = setting ? setting->value : std::string();
  if (!watched_ || folder != watched_->folder()) {
    watched_.emplace(folder);
    if (!folder.empty()) {
      spdlog::info("watching {} for prescriptions", utf8OrEscaped(folder));
      if (Status claimed = watched_->claim(); claimed.code() == ErrorCode::kBusy)
        infoBar_->ShowMessage(
            _("Another rxdesk window or rxdesk-cli already watches the scanner's folder; this "
              "window leaves it to that one."),
            wxICON_INFORMATION);
    }
  }
  std::vector<std::string> ready = watched_->poll();
  if (ready.empty() || !takeIn(ready)) return 0;
  watchIntake_ = true;
  return ready.size();
}

}  // namespace rx::gui
