#include "admin_dialog.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/dataview.h>
#include <wx/dirdlg.h>
#include <wx/filedlg.h>
#include <wx/intl.h>
#include <wx/msgdlg.h>
#include <wx/notebook.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/textdlg.h>
#include <wx/utils.h>

#include <sstream>

#include "ask.h"
#include "data/files.h"
#include "workstation/agreements.h"
#include "workstation/settings.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

// What each setting is called on screen (the service's own meanings are English, for the CLI).
wxString settingLabel(std::string_view key) {
  static const std::map<std::string_view, const char*> labels = {
      {"pharmacy.name", wxTRANSLATE("Pharmacy name (on vouchers)")},
      {"pharmacy.uscc", wxTRANSLATE("Unified social credit code")},
      {"pharmacy.licence", wxTRANSLATE("Drug trading licence number")},
      {"review.max_quantity_per_item", wxTRANSLATE("Supply limit per drug line (packages)")},
      {"review.second_pharmacist_check",
       wxTRANSLATE("The check must be done by a second pharmacist")},
      {"review.lock_minutes", wxTRANSLATE("Minutes before an open review may be taken over")},
      {"review.low_confidence", wxTRANSLATE("OCR confidence below which a field must be checked")},
      {"session.idle_lock_minutes", wxTRANSLATE("Lock the workstation after idle minutes")},
      {"backup.folder", wxTRANSLATE("Folder for the daily backup")},
      {"backup.warn_after_days", wxTRANSLATE("Warn when the last backup is older than (days)")},
      {"intake.watch_folder", wxTRANSLATE("Watched folder (scanner or phone sync)")},
  };
  auto it = labels.find(key);
  return it == labels.end() ? toWx(std::string(key)) : wxGetTranslation(it->second);
}

bool isFolderSetting(std::string_view key) { return key.ends_with("folder"); }

wxString statusLabel(data::AgreementStatus s) {
  switch (s) {
    case data::AgreementStatus::kActive:
      return _("active");
    case data::AgreementStatus::kSuspended:
      return _("suspended");
    case data::AgreementStatus::kRevoked:
      return _("revoked");
  }
  return wxString();
}

wxString joined(const std::vector<std::string>& items) {
  wxString out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + toWx(i);
  return out;
}

// Asks for a new user: login, role, name, licence, password twice. False when cancelled.
bool askNewUser(wxWindow* parent, data::NewUser& user, wxString& password) {
  wxDialog dialog(parent, wxID_ANY, _("Add a user"));
  auto* grid = new wxFlexGridSizer(2, dialog.FromDIP(6), dialog.FromDIP(8));
  grid->AddGrowableCol(1, 1);
  auto* name = new wxTextCtrl(&dialog, wxID_ANY);
  name->SetHint(_("letters, digits, . _ -"));
  wxArrayString roles;
  roles.Add(roleLabel("pharmacist"));
  roles.Add(roleLabel("supervisor"));
  roles.Add(roleLabel("admin"));
  auto* role = new wxChoice(&dialog, wxID_ANY, wxDefaultPosition, wxDefaultSize, roles);
  role->SetSelection(0);
  auto* display = new wxTextCtrl(&dialog, wxID_ANY);
  auto* licence = new wxTextCtrl(&dialog, wxID_ANY);
  licence->SetHint(_("required for pharmacists"));
  auto* pass = new wxTextCtrl(&dialog, wxID_ANY, wxEmptyString, wxDefaultPosition,
                              dialog.FromDIP(wxSize(240, -1)), wxTE_PASSWORD);
  auto* again = new wxTextCtrl(&dialog, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                               wxTE_PASSWORD);
  const std::pair<wxString, wxWindow*> rows[] = {
      {_("Login name"), name},        {_("Role"), role},     {_("Name shown"), display},
      {_("Licence number"), licence}, {_("Password"), pass}, {_("Password again"), again}};
  for (const auto& [label, control] : rows) {
    grid->Add(new wxStaticText(&dialog, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
    grid->Add(control, 1, wxEXPAND);
  }
  auto* top = new wxBoxSizer(wxVERTICAL);
  top->Add(grid, 1, wxEXPAND | wxALL, dialog.FromDIP(12));
  // Not wxID_OK/wxID_CANCEL: GTK would label stock buttons in the system's language.
  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  auto* cancel = new wxButton(&dialog, wxID_ANY, _("Cancel"));
  auto* ok = new wxButton(&dialog, wxID_ANY, _("&Add the user"));
  ok->SetDefault();
  buttons->AddStretchSpacer();
  buttons->Add(cancel, 0, wxRIGHT, dialog.FromDIP(6));
  buttons->Add(ok, 0);
  cancel->Bind(wxEVT_BUTTON, [&dialog](wxCommandEvent&) { dialog.EndModal(wxID_CANCEL); });
  ok->Bind(wxEVT_BUTTON, [&dialog](wxCommandEvent&) { dialog.EndModal(wxID_OK); });
  dialog.SetEscapeId(cancel->GetId());
  top->Add(buttons, 0, wxEXPAND | wxALL, dialog.FromDIP(8));
  dialog.SetSizerAndFit(top);
  while (dialog.ShowModal() == wxID_OK) {
    if (pass->GetValue() != again->GetValue()) {
      wxMessageBox(_("The two passwords differ."), _("Add a user"), wxOK | wxICON_WARNING, &dialog);
      continue;
    }
    user.name = fromWx(name->GetValue().Strip(wxString::both));
    user.role = role->GetSelection() == 2   ? data::Role::kAdmin
                : role->GetSelection() == 1 ? data::Role::kSupervisor
                                            : data::Role::kPharmacist;
    user.displayName = fromWx(display->GetValue().Strip(wxString::both));
    const std::string lic = fromWx(licence->GetValue().Strip(wxString::both));
    user.licenceNo = lic.empty() ? std::nullopt : std::optional<std::string>(lic);
    password = pass->GetValue();
    return true;
  }
  return false;
}

}  // namespace

AdminDialog::AdminDialog(wxWindow* parent, ws::Session& session)
    : wxDialog(parent, wxID_ANY, _("Administration"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session),
      admin_(session.user().role == data::Role::kAdmin),
      supervisor_(session.user().role == data::Role::kSupervisor) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  pages_ = new wxNotebook(this, wxID_ANY);
  if (admin_) pages_->AddPage(buildUsers(pages_), _("Users"));
  pages_->AddPage(buildAgreements(pages_), _("Provider agreements"));
  pages_->AddPage(buildSettings(pages_), _("Settings"));
  top->Add(pages_, 1, wxEXPAND | wxALL, FromDIP(10));
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  error_->SetForegroundColour(wxColour(170, 30, 30));
  top->Add(error_, 0, wxEXPAND | wxLEFT | wxRIGHT, FromDIP(10));
  top->Add(makeCloseButton(this), 0, wxALIGN_RIGHT | wxALL, FromDIP(10));
  SetSizerAndFit(top);
  if (admin_) loadUsers();
  loadAgreements();
  loadSettings();
  CentreOnParent();
}

wxString AdminDialog::fail(const Status& status) {
  const wxString text = explain(status);
  error_->SetLabel(text);
  error_->Wrap(FromDIP(720));
  Layout();
  return text;
}

wxString AdminDialog::errorText() const { return error_->GetLabel(); }

// --- Users -----------------------------------------------------------------------------------

wxWindow* AdminDialog::buildUsers(wxNotebook* book) {
  auto* page = new wxPanel(book);
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  users_ = makeList(page, 720, 260,
                    {{_("Login"), 110},
                     {_("Name"), 120},
                     {_("Role"), 100},
                     {_("Licence"), 150},
                     {_("Since"), 120},
                     {_("Removed"), 120}});
  sizer->Add(users_, 1, wxEXPAND | wxALL, FromDIP(8));
  auto* row = new wxBoxSizer(wxHORIZONTAL);
  auto* add = new wxButton(page, wxID_ANY, _("&Add user…"));
  auto* password = new wxButton(page, wxID_ANY, _("Set &password…"));
  auto* remove = new wxButton(page, wxID_ANY, _("&Remove user…"));
  showRemoved_ = new wxCheckBox(page, wxID_ANY, _("Show removed users"));
  row->Add(add, 0, wxRIGHT, FromDIP(6));
  row->Add(password, 0, wxRIGHT, FromDIP(6));
  row->Add(remove, 0, wxRIGHT, FromDIP(6));
  row->AddStretchSpacer();
  row->Add(showRemoved_, 0, wxALIGN_CENTER_VERTICAL);
  sizer->Add(row, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
  auto* note = new wxStaticText(
      page, wxID_ANY,
      _("Removing a user re-keys the store: their password no longer opens it. Their signed "
        "records stay."));
  note->Wrap(FromDIP(700));
  sizer->Add(note, 0, wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
  page->SetSizer(sizer);

  showRemoved_->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) { loadUsers(); });
  add->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    data::NewUser user;
    wxString pass;
    if (askNewUser(this, user, pass)) addUser(user, pass);
  });
  password->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    const std::string name = selectedUser();
    if (name.empty()) return;
    wxPasswordEntryDialog ask(this, wxString::Format(_("New password for %s"), toWx(name)),
                              _("Set password"));
    if (ask.ShowModal() == wxID_OK) setPassword(name, ask.GetValue());
  });
  remove->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    const std::string name = selectedUser();
    if (name.empty()) return;
    if (askYesNo(
            this,
            wxString::Format(_("Remove %s? They will no longer be able to log in."), toWx(name)),
            _("Remove user")))
      removeUser(name);
  });
  return page;
}

void AdminDialog::loadUsers() {
  users_->DeleteAllItems();
  userNames_.clear();
  auto list = session_.listUsers(showRemoved_->GetValue());
  if (!list) {
    fail(list.status());
    return;
  }
  for (const auto& u : *list) {
    wxVector<wxVariant> row;
    row.push_back(toWx(u.name));
    row.push_back(toWx(u.displayName));
    row.push_back(roleLabel(std::string(data::roleName(u.role))));
    row.push_back(toWx(u.licenceNo.value_or("")));
    row.push_back(beijingTime(u.createdAt));
    row.push_back(u.removedAt ? beijingTime(*u.removedAt) : wxString());
    users_->AppendItem(row);
    userNames_.push_back(u.name);
  }
}

int AdminDialog::userRows() const { return users_ ? users_->GetItemCount() : 0; }

std::string AdminDialog::selectedUser() const {
  const int row = users_->GetSelectedRow();
  if (row == wxNOT_FOUND) return {};
  return userNames_.at(static_cast<std::size_t>(row));
}

wxString AdminDialog::addUser(const data::NewUser& user, const wxString& password) {
  auto added = session_.addUser(user, fromWx(password));
  if (!added) return fail(added.status());
  loadUsers();
  return fail(Status::ok());
}

wxString AdminDialog::removeUser(const std::string& name) {
  wxBusyCursor busy;  // re-keying seals the database key to every remaining user
  if (Status st = session_.removeUser(name); !st.isOk()) return fail(st);
  loadUsers();
  return fail(Status::ok());
}

wxString AdminDialog::setPassword(const std::string& name, const wxString& password) {
  wxBusyCursor busy;
  if (Status st = session_.changePassword(name, fromWx(password)); !st.isOk()) return fail(st);
  return fail(Status::ok());
}

// --- Agreements ------------------------------------------------------------------------------

wxWindow* AdminDialog::buildAgreements(wxNotebook* book) {
  auto* page = new wxPanel(book);
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  agreements_ = makeList(page, 720, 170,
                         {{_("Agreement"), 150},
                          {_("Provider"), 220},
                          {_("Status"), 90},
                          {_("Valid from"), 110},
                          {_("Valid until"), 110}});
  sizer->Add(agreements_, 1, wxEXPAND | wxALL, FromDIP(8));
  agreementText_ = new wxTextCtrl(page, wxID_ANY, wxEmptyString, wxDefaultPosition,
                                  FromDIP(wxSize(720, 150)), wxTE_MULTILINE | wxTE_READONLY);
  sizer->Add(agreementText_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
  auto* row = new wxBoxSizer(wxHORIZONTAL);
  auto* import = new wxButton(page, wxID_ANY, _("&Import…"));
  auto* suspend = new wxButton(page, wxID_ANY, _("&Suspend…"));
  auto* resume = new wxButton(page, wxID_ANY, _("R&esume…"));
  auto* revoke = new wxButton(page, wxID_ANY, _("Re&voke…"));
  for (wxButton* b : {import, suspend, resume, revoke}) {
    row->Add(b, 0, wxRIGHT, FromDIP(6));
    b->Enable(admin_ || supervisor_);
  }
  sizer->Add(row, 0, wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
  page->SetSizer(sizer);

  agreements_->Bind(wxEVT_DATAVIEW_SELECTION_CHANGED,
                    [this](wxDataViewEvent&) { selectAgreement(agreements_->GetSelectedRow()); });
  import->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    wxFileDialog pick(this, _("A provider agreement to import"), wxEmptyString, wxEmptyString,
                      _("Agreements (*.json)|*.json|All files|*"),
                      wxFD_OPEN | wxFD_FILE_MUST_EXIST);
  if (pick.ShowModal() == wxID_OK) importAgreement(fromWx(pick.GetPath()), true);
});
auto change = [this](data::AgreementStatus to, const wxString& title) {
  const int row = agreements_->GetSelectedRow();
  if (row == wxNOT_FOUND) return;
  wxTextEntryDialog ask(this, _("Reason (kept in the agreement's history and the audit log):"),
                        title);
  if (ask.ShowModal() == wxID_OK) changeAgreement(row, to, ask.GetValue());
};
suspend->Bind(wxEVT_BUTTON, [change](wxCommandEvent&) {
  change(data::AgreementStatus::kSuspended, _("Suspend the agreement"));
});
resume->Bind(wxEVT_BUTTON, [change](wxCommandEvent&) {
  change(data::AgreementStatus::kActive, _("Resume the agreement"));
});
revoke->Bind(wxEVT_BUTTON, [change](wxCommandEvent&) {
  change(data::AgreementStatus::kRevoked, _("Revoke the agreement (final)"));
});
return page;
}  // namespace rx::gui

void AdminDialog::loadAgreements() {
  agreements_->DeleteAllItems();
  agreementNos_.clear();
  agreementText_->Clear();
  auto list = ws::AgreementService(session_).list();
  if (!list) {
    fail(list.status());
    return;
  }
  for (const auto& a : *list) {
    wxVector<wxVariant> row;
    row.push_back(toWx(a.record.agreementNo));
    row.push_back(toWx(a.record.providerName));
    row.push_back(statusLabel(a.status));
    row.push_back(toWx(a.record.validFrom));
    row.push_back(toWx(a.record.validUntil));
    agreements_->AppendItem(row);
    agreementNos_.push_back(a.record.agreementNo);
  }
}

int AdminDialog::agreementRows() const { return agreements_->GetItemCount(); }

void AdminDialog::selectAgreement(int row) {
  agreementText_->Clear();
  if (row < 0 || row >= agreementRows()) return;
  if (agreements_->GetSelectedRow() != row) agreements_->SelectRow(static_cast<unsigned>(row));
  auto a = ws::AgreementService(session_).show(agreementNos_.at(static_cast<std::size_t>(row)));
  if (!a) {
    fail(a.status());
    return;
  }
  const data::AgreementRecord& r = a->record;
  wxString t;
  t << wxString::Format(_("Agreement %s — %s"), toWx(r.agreementNo), statusLabel(a->status)) << "\n"
    << wxString::Format(_("Provider: %s, unified social credit code %s, licence %s"),
                        toWx(r.providerName), toWx(r.providerUscc), toWx(r.providerLicence))
    << "\n"
    << wxString::Format(_("Valid %s to %s; drug classes: %s"), toWx(r.validFrom),
                        toWx(r.validUntil), joined(r.scope))
    << "\n"
    << wxString::Format(_("Imported %s by %s; countersigned with key %s"),
                        beijingTime(r.importedAt), toWx(r.importedBy), toWx(r.countersignKeyId))
    << "\n"
    << _("Signing keys pinned:") << "\n";
  for (const auto& k : r.keys) t << "  " << toWx(k.keyType) << "  " << toWx(k.keyId) << "\n";
  if (!a->history.empty()) t << _("History:") << "\n";
  for (const auto& h : a->history)
    t << "  " << beijingTime(h.effectiveAt) << "  " << statusLabel(h.status) << "  "
      << toWx(h.byUser) << "  " << toWx(h.reason) << "\n";
  agreementText_->SetValue(t);
}

wxString AdminDialog::agreementDetail() const { return agreementText_->GetValue(); }

wxString AdminDialog::importAgreement(const std::string& file, bool confirm) {
  auto text = data::readWholeFile(file, ws::kMaxAgreementBytes);
  if (!text) return fail(text.status());
  ws::AgreementService service(session_);
  auto doc = service.inspect(*text, file);
  if (!doc) return fail(doc.status());
  preview_.clear();
  preview_ << wxString::Format(_("Agreement %s"), toWx(doc->agreementNo)) << "\n"
           << wxString::Format(_("Provider: %s (%s)"), toWx(doc->provider.name),
                               toWx(doc->provider.uscc))
           << "\n"
           << wxString::Format(_("Pharmacy: %s (%s)"), toWx(doc->pharmacy.name),
                               toWx(doc->pharmacy.uscc))
           << "\n"
           << wxString::Format(_("Valid %s to %s; drug classes: %s"), toWx(doc->validFrom),
                               toWx(doc->validUntil), joined(doc->scope))
           << "\n\n"
           << _("Compare these key fingerprints with the provider, by phone or in person:") << "\n";
  for (const auto& k : doc->keys)
    preview_ << "  " << toWx(std::string(crypto::keyTypeName(k.type()))) << "  " << toWx(k.keyId())
             << "\n";
  if (confirm && !askYesNo(this, preview_ + "\n" + _("Accept and countersign this agreement?"),
                           _("Import a provider agreement")))
    return wxString();
  auto imported = service.import(*text, file);
  if (!imported) return fail(imported.status());
  loadAgreements();
  for (int row = 0; row < agreementRows(); ++row)
    if (agreementNos_[static_cast<std::size_t>(row)] == doc->agreementNo) selectAgreement(row);
  return fail(Status::ok());
}

wxString AdminDialog::changeAgreement(int row, data::AgreementStatus to, const wxString& reason) {
  if (row < 0 || row >= agreementRows())
    return fail(Status(ErrorCode::kInvalidArgument, "no agreement selected"));
  auto changed = ws::AgreementService(session_).changeStatus(
      agreementNos_.at(static_cast<std::size_t>(row)), to, fromWx(reason));
  if (!changed) return fail(changed.status());
  loadAgreements();
  selectAgreement(row);
  return fail(Status::ok());
}

// --- Settings --------------------------------------------------------------------------------

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
    label->SetToolTip(toWx(key) + "\n" + toWx(std::string(spec.meaning)));
    wxWindow* control = nullptr;
    wxWindow* extra = nullptr;
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
          auto* choose = new wxButton(page, wxID_ANY, _("Choose…"), wxDefaultPosition,
                                      wxDefaultSize, wxBU_EXACTFIT);
          auto* text = static_cast<wxTextCtrl*>(control);
          choose->Bind(wxEVT_BUTTON, [this, text](wxCommandEvent&) {
            wxDirDialog pick(this, _("Choose a folder"), text->GetValue());
            if (pick.ShowModal() == wxID_OK) text->SetValue(pick.GetPath());
          });
          choose->Enable(admin_);
          extra = choose;
        }
        break;
    }
    control->SetToolTip(toWx(std::string(spec.meaning)));
    control->Enable(admin_);
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
