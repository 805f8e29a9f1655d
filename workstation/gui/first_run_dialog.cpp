#include "first_run_dialog.h"

#include <wx/app.h>
#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/statbox.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/weakref.h>

#include <thread>

#include "login_dialog.h"
#include "workstation/demo_data.h"
#include "workstation/setup.h"
#include "wx_convert.h"

namespace rx::gui {

FirstRunDialog::FirstRunDialog(wxWindow* parent, const std::string& storePath)
    : wxDialog(parent, wxID_ANY, _("rxdesk — set up this pharmacy"), wxDefaultPosition,
               wxDefaultSize, wxDEFAULT_DIALOG_STYLE) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  buildIntro(top);
  buildColumns(top, storePath);
  buildButtons(top);
  SetSizerAndFit(top);
  CentreOnScreen();
  Bind(wxEVT_BUTTON, &FirstRunDialog::onCreate, this, wxID_OK);
  field("pharmacy_name")->SetFocus();
}

void FirstRunDialog::buildIntro(wxSizer* top) {
  top->Add(makeHeading(this, _("Welcome to rxdesk"), 4), 0, wxALL, 12);
  auto* intro = new wxStaticText(
      this, wxID_ANY,
      _("There is no store on this computer yet. Enter your pharmacy and its first accounts; "
        "rxdesk creates the encrypted store and the pharmacy's key pair."));
  intro->Wrap(FromDIP(640));
  top->Add(intro, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
}

wxStaticBoxSizer* FirstRunDialog::fieldGroup(const wxString& title,
                                             std::initializer_list<FieldSpec> rows) {
  auto* box = new wxStaticBoxSizer(wxVERTICAL, this, title);
  auto* grid = new wxFlexGridSizer(2, 6, 8);
  grid->AddGrowableCol(1);
  for (const auto& [name, label, style] : rows) {
    grid->Add(new wxStaticText(box->GetStaticBox(), wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
    auto* text = new wxTextCtrl(box->GetStaticBox(), wxID_ANY, wxEmptyString, wxDefaultPosition,
                                FromDIP(wxSize(220, -1)), style);
    grid->Add(text, 1, wxEXPAND);
    fields_.emplace_back(name, text);
  }
  box->Add(grid, 1, wxEXPAND | wxALL, 6);
  return box;
}

void FirstRunDialog::buildColumns(wxSizer* top, const std::string& storePath) {
  auto* columns = new wxBoxSizer(wxHORIZONTAL);
  auto* left = new wxBoxSizer(wxVERTICAL);
  left->Add(fieldGroup(_("Pharmacy"), {{"pharmacy_name", _("Name (药店名称):"), 0},
                                       {"uscc", _("Unified social credit code:"), 0},
                                       {"licence", _("Drug trading licence no.:"), 0}}),
            0, wxEXPAND | wxBOTTOM, 8);
  left->Add(buildStationBox(storePath), 0, wxEXPAND);
  columns->Add(left, 1, wxEXPAND | wxRIGHT, 8);

  auto* right = new wxBoxSizer(wxVERTICAL);
  right->Add(
      fieldGroup(_("Administrator"), {{"admin", _("Login name:"), 0},
                                      {"admin_password", _("Password:"), wxTE_PASSWORD},
                                      {"admin_password2", _("Repeat password:"), wxTE_PASSWORD}}),
      0, wxEXPAND | wxBOTTOM, 8);
  right->Add(fieldGroup(_("First pharmacist"),
                        {{"pharmacist", _("Login name:"), 0},
                         {"pharmacist_display", _("Full name:"), 0},
                         {"pharmacist_licence", _("Licence no. (执业药师注册证号):"), 0},
                         {"pharmacist_password", _("Password:"), wxTE_PASSWORD},
                         {"pharmacist_password2", _("Repeat password:"), wxTE_PASSWORD}}),
             0, wxEXPAND);
  columns->Add(right, 1, wxEXPAND);
  top->Add(columns, 0, wxEXPAND | wxLEFT | wxRIGHT, 12);
}

wxStaticBoxSizer* FirstRunDialog::buildStationBox(const std::string& storePath) {
  auto* station = new wxStaticBoxSizer(wxVERTICAL, this, _("This workstation"));
  auto* sgrid = new wxFlexGridSizer(2, 6, 8);
  sgrid->AddGrowableCol(1);
  sgrid->Add(new wxStaticText(station->GetStaticBox(), wxID_ANY, _("Store file:")), 0,
             wxALIGN_CENTER_VERTICAL);
  auto* store = new wxTextCtrl(station->GetStaticBox(), wxID_ANY, toWx(storePath));
  fields_.emplace_back("store", store);
  sgrid->Add(store, 1, wxEXPAND);
  sgrid->Add(new wxStaticText(station->GetStaticBox(), wxID_ANY, _("Lock after idle minutes:")), 0,
             wxALIGN_CENTER_VERTICAL);
  idleLock_ = new wxSpinCtrl(station->GetStaticBox(), wxID_ANY, "5", wxDefaultPosition,
                             wxDefaultSize, wxSP_ARROW_KEYS, 1, 240, 5);
  sgrid->Add(idleLock_, 0);
  station->Add(sgrid, 1, wxEXPAND | wxALL, 6);
  demo_ = new wxCheckBox(station->GetStaticBox(), wxID_ANY,
                         _("Add demo data to try rxdesk (never for real patients)"));
  station->Add(demo_, 0, wxALL, 6);
  return station;
}

void FirstRunDialog::buildButtons(wxSizer* top) {
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  error_->SetForegroundColour(*wxRED);
  top->Add(error_, 0, wxALL | wxEXPAND, 12);
  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  buttons->AddStretchSpacer();
  buttons->Add(new wxButton(this, wxID_CANCEL, _("Quit")), 0, wxRIGHT, 8);
  create_ = new wxButton(this, wxID_OK, _("Create the store"));
  create_->SetDefault();
  buttons->Add(create_, 0);
  top->Add(buttons, 0, wxLEFT | wxRIGHT | wxBOTTOM | wxEXPAND, 12);
}

wxTextCtrl* FirstRunDialog::field(const std::string& name) const {
  for (const auto& [n, ctrl] : fields_)
    if (n == name) return ctrl;
  return nullptr;
}

void FirstRunDialog::setField(const std::string& name, const wxString& value) {
  if (auto* f = field(name)) f->ChangeValue(value);
}

void FirstRunDialog::setDemoData(bool on) { demo_->SetValue(on); }

void FirstRunDialog::submit() {
  wxCommandEvent e(wxEVT_BUTTON, wxID_OK);
  onCreate(e);
}

wxString FirstRunDialog::errorText() const { return error_->GetLabel(); }

void FirstRunDialog::setBusy(bool busy) {
  busy_ = busy;
  for (const auto& f : fields_) f.second->Enable(!busy);
  create_->Enable(!busy);
  if (busy) error_->SetLabel(_("Creating the store…"));
  SetCursor(busy ? *wxHOURGLASS_CURSOR : wxNullCursor);
}

void FirstRunDialog::onCreate(wxCommandEvent&) {
  if (busy_) return;
  auto value = [&](const char* name) {
    return fromWx(field(name)->GetValue().Strip(wxString::both));
  };
  auto complain = [&](const wxString& message, const char* focus) {
    error_->SetLabel(message);
    error_->Wrap(FromDIP(640));
    field(focus)->SetFocus();
    Layout();
    Fit();
  };
  const char* required[] = {
      "pharmacy_name",      "uscc", "licence", "admin", "pharmacist", "pharmacist_display",
      "pharmacist_licence", "store"};
  for (const char* name : required)
    if (value(name).empty()) return complain(_("Please fill in every field."), name);
  if (field("admin_password")->GetValue().size() < 8)
    return complain(_("Passwords need at least 8 characters."), "admin_password");
  if (field("admin_password")->GetValue() != field("admin_password2")->GetValue())
    return complain(_("The two administrator passwords differ."), "admin_password2");
  if (field("pharmacist_password")->GetValue().size() < 8)
    return complain(_("Passwords need at least 8 characters."), "pharmacist_password");
  if (field("pharmacist_password")->GetValue() != field("pharmacist_password2")->GetValue())
    return complain(_("The two pharmacist passwords differ."), "pharmacist_password2");

  ws::PharmacySetup setup;
  setup.pharmacy = {value("pharmacy_name"), value("uscc"), value("licence")};
  setup.admin = {value("admin"), data::Role::kAdmin, value("admin"), std::nullopt};
  setup.adminPassword = fromWx(field("admin_password")->GetValue());
  setup.pharmacist = data::NewUser{value("pharmacist"), data::Role::kPharmacist,
                                   value("pharmacist_display"), value("pharmacist_licence")};
  setup.pharmacistPassword = fromWx(field("pharmacist_password")->GetValue());
  setup.idleLockMinutes = idleLock_->GetValue();
  setup.demoData = demo_->GetValue();
  if (Status s = ws::validateSetup(setup); !s) {
    if (s.message().find("统一社会信用代码") != std::string::npos)
      return complain(_("The unified social credit code (统一社会信用代码) is not valid: it has 18 "
                        "characters, the last one a check character (GB 32100-2015)."),
                      "uscc");
    return complain(explain(s), "pharmacist");
  }
  const std::string path = value("store");
  createdPharmacist_ = setup.pharmacist->name;
  setBusy(true);
  wxWeakRef<FirstRunDialog> self(this);
  std::thread([self, path, setup]() mutable {
    auto result = ws::setUpPharmacy(path, setup.demoData ? ws::withDemoData(setup, path) : setup);
    Status status = result ? Status() : result.status();
    std::fill(setup.adminPassword.begin(), setup.adminPassword.end(), '\0');
    std::fill(setup.pharmacistPassword.begin(), setup.pharmacistPassword.end(), '\0');
    wxTheApp->CallAfter([self, status, path] {
      if (!self) return;
      if (status) self->createdStore_ = path;
      self->finish(status);
    });
  }).detach();
}

void FirstRunDialog::finish(const Status& status) {
  setBusy(false);
  if (!status) {
    error_->SetLabel(explain(status, _("The store could not be created.")));
    error_->Wrap(FromDIP(640));
    Layout();
    Fit();
    return;
  }
  if (IsModal()) {
    EndModal(wxID_OK);
  } else {
    SetReturnCode(wxID_OK);
    Hide();
  }
}

}  // namespace rx::gui
