#include "export_dialog.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/datectrl.h>
#include <wx/filepicker.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include <chrono>

#include "base/time.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

wxDateTime toWxDate(const std::string& iso) {
  wxDateTime d;
  d.ParseISODate(toWx(iso));
  return d;
}

std::string fromWxDate(const wxDateTime& d) {
  return d.IsValid() ? fromWx(d.FormatISODate()) : std::string();
}

}  // namespace

std::pair<std::string, std::string> previousMonth(const std::string& today) {
  using namespace std::chrono;
  const auto day = toDays(today);
  if (!day) return {today, today};
  const year_month_day ymd{*day};
  const year_month thisMonth = ymd.year() / ymd.month();
  const year_month last = thisMonth - months(1);
  return {fromDays(sys_days{last / 1}), fromDays(sys_days{last / std::chrono::last})};
}

ExportDialog::ExportDialog(wxWindow* parent, const std::string& today)
    : wxDialog(parent, wxID_ANY, _("Export for inspectors")) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  auto* grid = new wxFlexGridSizer(2, FromDIP(6), FromDIP(8));
  grid->AddGrowableCol(1, 1);
  const auto [first, lastDay] = previousMonth(today);
  from_ = new wxDatePickerCtrl(this, wxID_ANY, toWxDate(first), wxDefaultPosition, wxDefaultSize,
                               wxDP_DROPDOWN | wxDP_SHOWCENTURY);
  to_ = new wxDatePickerCtrl(this, wxID_ANY, toWxDate(lastDay), wxDefaultPosition, wxDefaultSize,
                             wxDP_DROPDOWN | wxDP_SHOWCENTURY);
  grid->Add(new wxStaticText(this, wxID_ANY, _("From")), 0, wxALIGN_CENTER_VERTICAL);
  grid->Add(from_, 0);
  grid->Add(new wxStaticText(this, wxID_ANY, _("To (inclusive)")), 0, wxALIGN_CENTER_VERTICAL);
  grid->Add(to_, 0);
  folder_ = new wxDirPickerCtrl(
      this, wxID_ANY, wxEmptyString, _("An empty folder for the export (e.g. on a USB disk)"),
      wxDefaultPosition, FromDIP(wxSize(360, -1)), wxDIRP_USE_TEXTCTRL | wxDIRP_DIR_MUST_EXIST);
  grid->Add(new wxStaticText(this, wxID_ANY, _("Folder")), 0, wxALIGN_CENTER_VERTICAL);
  grid->Add(folder_, 1, wxEXPAND);
  top->Add(grid, 0, wxEXPAND | wxALL, 12);
  mask_ = new wxCheckBox(this, wxID_ANY, _("Mask patient names and ID numbers in the export"));
  mask_->SetValue(true);
  top->Add(mask_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  error_->SetForegroundColour(*wxRED);
  top->Add(error_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
  top->Add(CreateStdDialogButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 8);
  SetSizerAndFit(top);
  Bind(
      wxEVT_BUTTON,
      [this](wxCommandEvent&) {
        if (validate().empty()) EndModal(wxID_OK);
      },
      wxID_OK);
  CentreOnParent();
}

std::string ExportDialog::from() const { return fromWxDate(from_->GetValue()); }
std::string ExportDialog::to() const { return fromWxDate(to_->GetValue()); }
bool ExportDialog::maskPatients() const { return mask_->GetValue(); }
std::string ExportDialog::folder() const { return fromWx(folder_->GetPath()); }

void ExportDialog::setPeriod(const std::string& from, const std::string& to) {
  from_->SetValue(toWxDate(from));
  to_->SetValue(toWxDate(to));
}

void ExportDialog::setFolder(const std::string& folder) { folder_->SetPath(toWx(folder)); }

wxString ExportDialog::validate() {
  wxString error;
  if (from().empty() || to().empty())
    error = _("Choose the first and the last day of the period.");
  else if (from() > to())
    error = _("The first day comes after the last day.");
  else if (folder().empty())
    error = _("Choose an empty folder for the export.");
  error_->SetLabel(error);
  Layout();
  return error;
}

}  // namespace rx::gui
