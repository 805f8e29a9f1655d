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

Status MainFrame::backupTo(const std::string& file) {
  std::unique_ptr<wxProgressDialog> progress;
  auto info = ws::writeBackup(*session_, file, [&](std::uint64_t done, std::uint64_t total) {
    if (!progress)
      progress = std::make_unique<wxProgressDialog>(_("rxdesk"), _("Writing the backup…"), 100,
                                                    this, wxPD_APP_MODAL | wxPD_AUTO_HIDE);
    if (total) progress->Update(static_cast<int>(100 * done / total));
  });
  progress.reset();
  if (!info) {
    spdlog::warn("backup failed: {}", info.status().message());
    wxMessageBox(_("The backup was not written.") + "\n" + explain(info.status()), _("rxdesk"),
                 wxICON_ERROR, this);
    return info.status();
  }
  checkBackup();  // refreshes the status bar
  return Status();
}

Status MainFrame::exportTo(const std::string& folder, const std::string& from,
                           const std::string& to, bool maskPatients) {
  ws::ExportRequest request;
  request.from = from;
  request.to = to;
  request.maskPatients = maskPatients;
  request.outDir = folder;
  std::unique_ptr<wxProgressDialog> progress;
  auto summary = ws::writeExport(*session_, request, [&](std::int64_t done, std::int64_t total) {
    if (!progress)
      progress =
          std::make_unique<wxProgressDialog>(_("rxdesk"), _("Exporting the period for inspectors…"),
                                             100, this, wxPD_APP_MODAL | wxPD_AUTO_HIDE);
    if (total > 0) progress->Update(static_cast<int>(100 * done / total));
  });
  progress.reset();
  if (!summary) {
    spdlog::warn("export failed: {}", summary.status().message());
    wxMessageBox(_("The export was not written.") + "\n" + explain(summary.status()), _("rxdesk"),
                 wxICON_ERROR, this);
    return summary.status();
  }
  std::int64_t rows = 0;
  for (const auto& [table, n] : summary->rows) rows += n;
  SetStatusText(wxString::Format(_("Exported %lld rows in %zu files to %s, signed."),
                                 static_cast<long long>(rows), summary->files.size(), toWx(folder)),
                0);
  return Status();
}

void MainFrame::checkBackup() {
  lastBackupCheck_ = std::chrono::steady_clock::now();
  std::unique_ptr<wxProgressDialog> progress;
  auto written = ws::runScheduledBackup(*session_, [&](std::uint64_t done, std::uint64_t total) {
    if (!progress)
      progress = std::make_unique<wxProgressDialog>(_("rxdesk"), _("Writing today's backup…"), 100,
                                                    this, wxPD_APP_MODAL | wxPD_AUTO_HIDE);
    if (total) progress->Update(static_cast<int>(100 * done / total));
  });
  progress.reset();
  wxString text;
  if (!written) {
    spdlog::warn("scheduled backup failed: {}", written.status().message());
    text = explainInline(written.status(), _("⚠ Backup failed."));
  } else if (auto st = ws::backupStatus(*session_); !st) {
    text = explainInline(st.status());
  } else if (!st->lastAt) {
    text = _("⚠ No backup yet");
  } else {
    text = wxString::Format(st->stale ? _("⚠ Last backup %s: make one") : _("Last backup %s"),
                            beijingTime(*st->lastAt));
  }
  SetStatusText(text, 2);
}

}  // namespace rx::gui
