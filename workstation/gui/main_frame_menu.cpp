// MainFrame: the menu, built for whoever is logged in (again when another user unlocks).
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

void MainFrame::buildMenu() {
  auto* file = new wxMenu;
  addIntakeItems(file);
  addRecordItems(file);
  addStoreItems(file);
  auto* help = new wxMenu;
  help->Append(wxID_ABOUT, _("&About rxdesk"));
  auto* bar = new wxMenuBar;
  bar->Append(file, _("&File"));
  bar->Append(help, _("&Help"));
  wxMenuBar* previous = GetMenuBar();
  SetMenuBar(bar);
  delete previous;  // another user's menu (SetMenuBar only detaches it)
}

// Taking files in, consultations.
void MainFrame::addIntakeItems(wxMenu* file) {
  const int takeInId = wxWindow::NewControlId();
  const int takeFolderId = wxWindow::NewControlId();
  file->Append(takeInId, _("&Take in files…\tCtrl+O"));
  file->Append(takeFolderId, _("Take in a &folder…\tCtrl+Shift+O"));
  Bind(
      wxEVT_MENU,
      [this](wxCommandEvent&) {
        // The last folder used, else the demo files: never the store's own folder by default.
        if (lastIntakeFolder_.empty() && wxDirExists(toWx(ws::demoFilesFolder())))
          lastIntakeFolder_ = toWx(ws::demoFilesFolder());
        wxFileDialog pick(this, _("Photos or e-prescriptions to take in"), lastIntakeFolder_,
                          wxEmptyString,
                          _("Prescriptions (*.jpg;*.jpeg;*.png;*.tif;*.tiff;*.webp;*.json)|"
                            "*.jpg;*.jpeg;*.png;*.tif;*.tiff;*.webp;*.json;*.JPG;*.JPEG;*.PNG"),
                          wxFD_OPEN | wxFD_MULTIPLE | wxFD_FILE_MUST_EXIST);
        if (pick.ShowModal() != wxID_OK) return;
        lastIntakeFolder_ = pick.GetDirectory();
        wxArrayString paths;
        pick.GetPaths(paths);
        std::vector<std::string> files;
        for (const auto& p : paths) files.push_back(fromWx(p));
        std::sort(files.begin(), files.end());
        takeIn(std::move(files));
      },
      takeInId);
  Bind(
      wxEVT_MENU,
      [this](wxCommandEvent&) {
        wxDirDialog pick(this, _("A folder of photos or e-prescriptions to take in"));
        if (pick.ShowModal() == wxID_OK) takeIn(ws::intakeFilesIn(fromWx(pick.GetPath())));
      },
      takeFolderId);
  const int consultId = wxWindow::NewControlId();
  file->Append(consultId, _("&Consultations…\tCtrl+U"));
  Bind(
      wxEVT_MENU,
      [this](wxCommandEvent&) {
        ConsultationsDialog dialog(this, *session_);
        dialog.ShowModal();
      },
      consultId);
}

// Lock, and what the user's role may open: figures, administration, sampling, export.
void MainFrame::addRecordItems(wxMenu* file) {
  file->AppendSeparator();
  const int lockId = wxWindow::NewControlId();
  file->Append(lockId, _("&Lock\tCtrl+L"));
  Bind(
      wxEVT_MENU, [this](wxCommandEvent&) { lock(); }, lockId);
  const int figuresId = wxWindow::NewControlId();
  if (session_->user().role != data::Role::kPharmacist) {
    file->Append(figuresId, _("&Figures…\tCtrl+D"));
    Bind(
        wxEVT_MENU,
        [this](wxCommandEvent&) {
          DashboardDialog dialog(this, *session_);
          dialog.ShowModal();
        },
        figuresId);
  }
  const int adminId = wxWindow::NewControlId();
  file->Append(adminId, _("&Administration…\tCtrl+Shift+A"));
  Bind(
      wxEVT_MENU,
      [this](wxCommandEvent&) {
        AdminDialog dialog(this, *session_);
        dialog.ShowModal();
      },
      adminId);
  const int samplingId = wxWindow::NewControlId();
  if (session_->user().role == data::Role::kSupervisor)
    file->Append(samplingId, _("Audit &sampling…\tCtrl+Shift+S"));
  else if (session_->user().role == data::Role::kPharmacist)
    file->Append(samplingId, _("My audit &findings…"));
  Bind(
      wxEVT_MENU,
      [this](wxCommandEvent&) {
        SamplingDialog dialog(this, *session_);
        dialog.ShowModal();
      },
      samplingId);
  if (session_->user().role == data::Role::kSupervisor) {
    const int exportId = wxWindow::NewControlId();
    file->Append(exportId, _("&Export for inspectors…"));
    Bind(
        wxEVT_MENU,
        [this](wxCommandEvent&) {
          ExportDialog dialog(this, beijingToday());
          if (dialog.ShowModal() == wxID_OK)
            (void)exportTo(dialog.folder(), dialog.from(), dialog.to(), dialog.maskPatients());
        },
        exportId);
  }
}

// Backing up now, and quitting.
void MainFrame::addStoreItems(wxMenu* file) {
  const int backupId = wxWindow::NewControlId();
  file->Append(backupId, _("&Back up now…"));
  Bind(
      wxEVT_MENU,
      [this](wxCommandEvent&) {
        wxFileDialog pick(
            this, _("Save the backup as"), wxEmptyString,
            wxString::Format("rxdesk-%s.rxbak", toWx(datePart(chinaTime(utcTimestamp())))),
            _("rxdesk backups (*.rxbak)|*.rxbak"), wxFD_SAVE);
        // backupTo shows any error to the user itself.
        if (pick.ShowModal() == wxID_OK) (void)backupTo(fromWx(pick.GetPath()));
      },
      backupId);
  file->AppendSeparator();
  file->Append(wxID_EXIT, _("&Quit\tCtrl+Q"));
}

void MainFrame::onAbout(wxCommandEvent&) {
  wxAboutDialogInfo info;
  info.SetName("rxdesk");
  info.SetDescription(
      _("Offline verification, review and dispensing of prescriptions for licensed pharmacists."));
  auto summary = session_->summary();
  if (summary) info.SetVersion(wxString::Format("SQLCipher %s", toWx(summary->cipherVersion)));
  wxAboutBox(info, this);
}

}  // namespace rx::gui
