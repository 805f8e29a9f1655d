// MainFrame: backups (now, and the scheduled one with its status) and the export for inspectors.
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
#include "store_task.h"
#include "workstation/agreements.h"
#include "workstation/backup.h"
#include "workstation/export.h"
#include "workstation/paths.h"
#include "workstation/review.h"
#include "workstation/settings.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {
// What a backup or an export that did not finish says: a cancel on the status bar (the user asked
// for it), anything else in a message box.
void tellNotWritten(wxFrame* frame, const Status& st, const wxString& notWritten,
                    const wxString& cancelled) {
  if (st.code() == ErrorCode::kCancelled) {
    frame->SetStatusText(cancelled, 1);  // over the store's path, until the next login
    return;
  }
  spdlog::warn("{}", st.message());
  wxMessageBox(notWritten + "\n" + explain(st), _("rxdesk"), wxICON_ERROR, frame);
}
}  // namespace

Status MainFrame::startStoreTask(wxString message, StoreTask::Work work,
                                 std::function<void(const Status&)> finished, bool quiet) {
  if (storeTaskRunning())
    return Status(ErrorCode::kUnavailable,
                  "a backup or an export is under way; try again after it");
  RX_ASSIGN_OR_RETURN(auto worker, session_->forWorker());
  // Its outcome is the starting user's: after another user took over the window (a shared
  // counter), it is logged and the backup status refreshed, nothing more is shown.
  auto outcome = [this, startedBy = session_->user().name,
                  finished = std::move(finished)](const Status& st) {
    taskRow_->finish();
    lastStoreTask_ = st;
    if (session_->user().name != startedBy) {
      spdlog::info("a backup or export another user started has ended ({})",
                   st.isOk() ? "written" : errorCodeName(st.code()));
      showBackupStatus();
      return;
    }
    finished(st);
  };
  storeTask_.reset();  // the last one has finished (its outcome was shown)
  storeTaskStartedBy_ = session_->user().name;
  if (!quiet) taskRow_->start(message, 100);
  storeTask_ = std::make_unique<StoreTask>(
      this, std::move(worker), std::move(work),
      [this, message](int percent) {
        if (!taskRow_->IsShown()) taskRow_->start(message, 100);
        taskRow_->say(wxString::Format("%s %d%%", message, percent));
        taskRow_->advance(percent);
      },
      std::move(outcome));
  return Status();
}

bool MainFrame::storeTaskRunning() const { return storeTask_ && storeTask_->running(); }

void MainFrame::cancelStoreTask() {
  if (!storeTaskRunning() || session_->user().name != storeTaskStartedBy_) return;
  storeTask_->cancel();
  taskRow_->cancelling(_("Cancelling…"));
}

Status MainFrame::backupTo(const std::string& file) {
  const wxString notWritten = _("The backup was not written.");
  const wxString cancelled = _("The backup was cancelled; nothing was written.");
  Status started = startStoreTask(
      _("Writing the backup…"),
      [file](ws::Session& s, const StoreTask::Progress& progress, std::stop_token stop) {
        return ws::writeBackup(s, file, progress, stop).status();
      },
      [this, notWritten, cancelled](const Status& written) {
        if (!written) tellNotWritten(this, written, notWritten, cancelled);
        showBackupStatus();
      });
  if (!started) tellNotWritten(this, started, notWritten, cancelled);
  return started;
}

Status MainFrame::exportTo(const std::string& folder, const std::string& from,
                           const std::string& to, bool maskPatients) {
  ws::ExportRequest request;
  request.from = from;
  request.to = to;
  request.maskPatients = maskPatients;
  request.outDir = folder;
  auto summary = std::make_shared<ws::ExportSummary>();
  const wxString notWritten = _("The export was not written.");
  const wxString cancelled = _("The export was cancelled; nothing was left in the folder.");
  Status started = startStoreTask(
      _("Exporting the period for inspectors…"),
      [request, summary](ws::Session& s, const StoreTask::Progress& progress,
                         std::stop_token stop) {
        auto written = ws::writeExport(
            s, request,
            [&](std::int64_t done, std::int64_t total) {
              progress(static_cast<std::uint64_t>(std::max<std::int64_t>(done, 0)),
                       static_cast<std::uint64_t>(std::max<std::int64_t>(total, 0)));
            },
            stop);
        if (written) *summary = std::move(*written);
        return written.status();
      },
      [this, summary, folder, notWritten, cancelled](const Status& written) {
        if (!written) {
          tellNotWritten(this, written, notWritten, cancelled);
          return;
        }
        std::int64_t rows = 0;
        for (const auto& [table, n] : summary->rows) rows += n;
        SetStatusText(
            wxString::Format(_("Exported %lld rows in %zu files to %s, signed."),
                             static_cast<long long>(rows), summary->files.size(), toWx(folder)),
            0);
      });
  if (!started) tellNotWritten(this, started, notWritten, cancelled);
  return started;
}

void MainFrame::checkBackup() {
  // The daily backup, when one is due, is written on a worker; the status bar shows the last
  // backup meanwhile and again when it is written. Cancelled, it is tried again at a later check.
  if (storeTaskRunning()) return;  // checked again at the next tick
  lastBackupCheck_ = std::chrono::steady_clock::now();
  showBackupStatus();
  Status started = startStoreTask(
      _("Writing today's backup…"),
      [](ws::Session& s, const StoreTask::Progress& progress, std::stop_token stop) {
        return ws::runScheduledBackup(s, progress, utcTimestamp(), stop).status();
      },
      [this](const Status& written) {
        if (!written) spdlog::warn("scheduled backup not written: {}", written.message());
        showBackupStatus(written.code() == ErrorCode::kCancelled ? Status() : written);
      },
      /*quiet=*/true);
  if (!started) showBackupStatus(started);
}

void MainFrame::showBackupStatus(const Status& lastRun) {
  wxString text;
  if (!lastRun) {
    text = explainInline(lastRun, _("⚠ Backup failed."));
  } else if (auto st = ws::backupStatus(*session_); !st) {
    text = explainInline(st.status());
  } else if (!st->lastAt) {
    text = _("⚠ No backup yet");
  } else {
    text = wxString::Format(st->stale ? _("⚠ Last backup %s: make one") : _("Last backup %s"),
                            beijingTime(*st->lastAt));
    // The audit head it recorded, for a supervisor to note and compare (docs/records.md).
    if (st->lastHeadSeq)
      text += wxString::Format(_(" · audit %lld/%s"), static_cast<long long>(*st->lastHeadSeq),
                               toWx(st->lastHeadHash.substr(0, 6)));
  }
  SetStatusText(text, 2);
}

}  // namespace rx::gui
