// Administration's Settings page: one control per workstation setting, changed and saved by
// admins, read by everyone.
#include "admin_dialog.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/dirdlg.h>
#include <wx/intl.h>
#include <wx/notebook.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include "labels.h"
#include "workstation/settings.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

bool isFolderSetting(std::string_view key) { return key.ends_with("folder"); }

// The control that edits `spec` on `page`, enabled when `editable`. A folder setting also gets a
// Choose… button (a folder picker over `dialog`), returned in `extra`.
wxWindow* makeSettingControl(wxWindow* page, wxWindow* dialog, const ws::SettingSpec& spec,
                             bool editable, wxWindow*& extra) {
  wxWindow* control = nullptr;
  extra = nullptr;
  switch (spec.kind) {
    case ws::SettingKind::kBool:
      control = new wxCheckBox(page, wxID_ANY, wxEmptyString);
      break;
    case ws::SettingKind::kInteger:
      control =
          new wxSpinCtrl(page, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                         wxSP_ARROW_KEYS, static_cast<int>(spec.min), static_cast<int>(spec.max));
      break;
    default:
      control = new wxTextCtrl(page, wxID_ANY);
      if (isFolderSetting(spec.key)) {
        auto* choose = new wxButton(page, wxID_ANY, _("Choose…"), wxDefaultPosition, wxDefaultSize,
                                    wxBU_EXACTFIT);
        auto* text = static_cast<wxTextCtrl*>(control);
        choose->Bind(wxEVT_BUTTON, [dialog, text](wxCommandEvent&) {
          wxDirDialog pick(dialog, _("Choose a folder"), text->GetValue());
          if (pick.ShowModal() == wxID_OK) text->SetValue(pick.GetPath());
        });
        choose->Enable(editable);
        extra = choose;
      }
      break;
  }
  // In the window's language; the setting's key for the CLI (its meaning in English is there).
  control->SetToolTip(settingLabel(spec.key) + "\n" + toWx(std::string(spec.key)));
  control->Enable(editable);
  return control;
}

}  // namespace

wxWindow* AdminDialog::buildSettings(wxNotebook* book) {
  auto* page = new wxScrolledWindow(book, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                    wxVSCROLL | wxTAB_TRAVERSAL);
  page->SetScrollRate(0, FromDIP(10));
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  auto* grid = new wxFlexGridSizer(3, FromDIP(6), FromDIP(8));
  grid->AddGrowableCol(1, 1);
  for (const ws::SettingSpec& spec : ws::settingSpecs()) {
    const std::string key(spec.key);
    auto* label = new wxStaticText(page, wxID_ANY, settingLabel(spec.key));
    label->SetToolTip(toWx(key));
    wxWindow* extra = nullptr;
    wxWindow* control = makeSettingControl(page, this, spec, admin_, extra);
    grid->Add(label, 0, wxALIGN_CENTER_VERTICAL);
    grid->Add(control, 1, wxEXPAND);
    if (extra)
      grid->Add(extra, 0);
    else
      grid->AddSpacer(0);
    settings_[key].control = control;
  }
  sizer->Add(grid, 0, wxEXPAND | wxALL, FromDIP(8));
  auto* save = new wxButton(page, wxID_ANY, _("&Save settings"));
  save->Enable(admin_);
  sizer->Add(save, 0, wxLEFT | wxBOTTOM, FromDIP(8));
  if (!admin_)
    sizer->Add(new wxStaticText(page, wxID_ANY, _("Only an administrator changes settings.")), 0,
               wxLEFT | wxBOTTOM, FromDIP(8));
  page->SetSizer(sizer);
  page->FitInside();
  page->SetMinSize(FromDIP(wxSize(720, 430)));
  save->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { saveSettings(); });
  return page;
}

void AdminDialog::loadSettings() {
  auto values = ws::SettingsService(session_).list();
  if (!values) {
    fail(values.status());
    return;
  }
  for (const auto& v : *values) {
    auto it = settings_.find(v.key);
    if (it == settings_.end()) continue;
    it->second.loaded = v.value;
    setFormValue(v.key, toWx(v.value));
  }
}

bool AdminDialog::setFormValue(const std::string& key, const wxString& value) {
  auto it = settings_.find(key);
  if (it == settings_.end()) return false;
  wxWindow* c = it->second.control;
  if (auto* box = dynamic_cast<wxCheckBox*>(c)) {
    box->SetValue(value == "true");
  } else if (auto* spin = dynamic_cast<wxSpinCtrl*>(c)) {
    long n = 0;
    if (!value.ToLong(&n)) return false;
    spin->SetValue(static_cast<int>(n));
  } else if (auto* text = dynamic_cast<wxTextCtrl*>(c)) {
    text->SetValue(value);
  }
  return true;
}

wxString AdminDialog::settingValue(const std::string& key) const {
  auto it = settings_.find(key);
  if (it == settings_.end()) return wxString();
  wxWindow* c = it->second.control;
  if (auto* box = dynamic_cast<wxCheckBox*>(c)) return box->GetValue() ? "true" : "false";
  if (auto* spin = dynamic_cast<wxSpinCtrl*>(c)) return wxString::Format("%d", spin->GetValue());
  if (auto* text = dynamic_cast<wxTextCtrl*>(c)) return text->GetValue().Strip(wxString::both);
  return wxString();
}

wxString AdminDialog::saveSettings() {
  std::vector<std::pair<std::string, std::string>> changed;
  for (const auto& [key, control] : settings_) {
    std::string value = fromWx(settingValue(key));
    if (value != control.loaded) changed.emplace_back(key, std::move(value));
  }
  if (changed.empty()) return fail(Status::ok());
  // All or none: on a refusal the form keeps everything typed, to be corrected.
  if (Status st = ws::SettingsService(session_).setAll(changed); !st.isOk()) return fail(st);
  loadSettings();
  return fail(Status::ok());
}

}  // namespace rx::gui
