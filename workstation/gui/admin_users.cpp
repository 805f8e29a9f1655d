// Administration's Users page (admins only): list, add, remove users and set their passwords.
#include "admin_dialog.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/dataview.h>
#include <wx/intl.h>
#include <wx/msgdlg.h>
#include <wx/notebook.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/textdlg.h>
#include <wx/utils.h>

#include "ask.h"
#include "form_layout.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

// The Add a user form's fields.
struct NewUserForm {
  wxTextCtrl* name = nullptr;
  wxChoice* role = nullptr;
  wxTextCtrl* display = nullptr;
  wxTextCtrl* licence = nullptr;
  wxTextCtrl* pass = nullptr;
  wxTextCtrl* again = nullptr;
};

NewUserForm buildNewUserForm(wxDialog& dialog, wxSizer* top) {
  NewUserForm f;
  auto* grid = new wxFlexGridSizer(2, dialog.FromDIP(6), dialog.FromDIP(8));
  grid->AddGrowableCol(1, 1);
  f.name = new wxTextCtrl(&dialog, wxID_ANY);
  f.name->SetHint(_("letters, digits, . _ -"));
  wxArrayString roles;
  roles.Add(roleLabel("pharmacist"));
  roles.Add(roleLabel("supervisor"));
  roles.Add(roleLabel("admin"));
  f.role = new wxChoice(&dialog, wxID_ANY, wxDefaultPosition, wxDefaultSize, roles);
  f.role->SetSelection(0);
  f.display = new wxTextCtrl(&dialog, wxID_ANY);
  f.licence = new wxTextCtrl(&dialog, wxID_ANY);
  f.licence->SetHint(_("required for pharmacists"));
  f.pass = new wxTextCtrl(&dialog, wxID_ANY, wxEmptyString, wxDefaultPosition,
                          dialog.FromDIP(wxSize(240, -1)), wxTE_PASSWORD);
  f.again = new wxTextCtrl(&dialog, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                           wxTE_PASSWORD);
  addLabelledRows(grid, &dialog,
                  {{_("Login name"), f.name},
                   {_("Role"), f.role},
                   {_("Name shown"), f.display},
                   {_("Licence number"), f.licence},
                   {_("Password"), f.pass},
                   {_("Password again"), f.again}});
  top->Add(grid, 1, wxEXPAND | wxALL, dialog.FromDIP(12));
  return f;
}

void addNewUserButtons(wxDialog& dialog, wxSizer* top) {
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
}

void readNewUser(const NewUserForm& f, data::NewUser& user, wxString& password) {
  user.name = fromWx(f.name->GetValue().Strip(wxString::both));
  user.role = f.role->GetSelection() == 2   ? data::Role::kAdmin
              : f.role->GetSelection() == 1 ? data::Role::kSupervisor
                                            : data::Role::kPharmacist;
  user.displayName = fromWx(f.display->GetValue().Strip(wxString::both));
  const std::string lic = fromWx(f.licence->GetValue().Strip(wxString::both));
  user.licenceNo = lic.empty() ? std::nullopt : std::optional<std::string>(lic);
  password = f.pass->GetValue();
}

// Asks for a new user: login, role, name, licence, password twice. False when cancelled.
bool askNewUser(wxWindow* parent, data::NewUser& user, wxString& password) {
  wxDialog dialog(parent, wxID_ANY, _("Add a user"));
  auto* top = new wxBoxSizer(wxVERTICAL);
  const NewUserForm form = buildNewUserForm(dialog, top);
  addNewUserButtons(dialog, top);
  dialog.SetSizerAndFit(top);
  while (dialog.ShowModal() == wxID_OK) {
    if (form.pass->GetValue() != form.again->GetValue()) {
      wxMessageBox(_("The two passwords differ."), _("Add a user"), wxOK | wxICON_WARNING, &dialog);
      continue;
    }
    readNewUser(form, user, password);
    return true;
  }
  return false;
}

}  // namespace

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
  bindUserButtons(add, password, remove);
  return page;
}

void AdminDialog::bindUserButtons(wxButton* add, wxButton* password, wxButton* remove) {
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

}  // namespace rx::gui
