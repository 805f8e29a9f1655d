#include "login_dialog.h"

#include <wx/app.h>
#include <wx/button.h>
#include <wx/intl.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <thread>

#include "wx_convert.h"

namespace rx::gui {

wxString loginErrorMessage(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kAuthFailed:
      return _("The password is not right. Check the keyboard layout and Caps Lock.");
    case ErrorCode::kUnknownUser:
      return _("There is no such user in this store.");
    case ErrorCode::kLockedOut:
      return explain(status, _("Too many wrong passwords. Wait a moment before trying again."));
    case ErrorCode::kNotFound:
      return explain(status, _("The store file was not found."));
    case ErrorCode::kCorrupt:
      return explain(status, _("The store or its key file is damaged or belongs to another "
                               "pharmacy. Call support."));
    case ErrorCode::kUnsupported:
      return explain(status, _("This computer's SQLCipher library cannot be used."));
    default:
      return explain(status, _("Login failed."));
  }
}

LoginDialog::LoginDialog(wxWindow* parent, Options options)
    : wxDialog(parent, wxID_ANY, _("rxdesk — log in"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE),
      options_(std::move(options)) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  auto* title = makeHeading(this, _("Pharmacist workstation"), 4);
  top->Add(title, 0, wxALL, 12);

  auto* grid = new wxFlexGridSizer(2, 8, 8);
  grid->AddGrowableCol(1);
  grid->Add(new wxStaticText(this, wxID_ANY, _("User name:")), 0, wxALIGN_CENTER_VERTICAL);
  user_ = new wxTextCtrl(this, wxID_ANY, toWx(options_.presetUser), wxDefaultPosition,
                         FromDIP(wxSize(260, -1)));
  grid->Add(user_, 1, wxEXPAND);
  grid->Add(new wxStaticText(this, wxID_ANY, _("Password:")), 0, wxALIGN_CENTER_VERTICAL);
  password_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                             wxTE_PASSWORD | wxTE_PROCESS_ENTER);
  grid->Add(password_, 1, wxEXPAND);
  top->Add(grid, 0, wxEXPAND | wxLEFT | wxRIGHT, 12);

  auto* store =
      new wxStaticText(this, wxID_ANY, wxString::Format(_("Store: %s"), toWx(options_.storePath)));
  store->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
  top->Add(store, 0, wxALL, 12);
  if (!options_.hint.empty()) {
    auto* hint = new wxStaticText(this, wxID_ANY, options_.hint);
    top->Add(hint, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
  }
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  error_->SetForegroundColour(*wxRED);
  top->Add(error_, 0, wxLEFT | wxRIGHT | wxEXPAND, 12);

  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  buttons->AddStretchSpacer();
  auto* cancel = new wxButton(this, wxID_CANCEL, _("Quit"));
  login_ = new wxButton(this, wxID_OK, _("Log in"));
  login_->SetDefault();
  buttons->Add(cancel, 0, wxRIGHT, 8);
  buttons->Add(login_, 0);
  top->Add(buttons, 0, wxALL | wxEXPAND, 12);
  SetSizerAndFit(top);
  CentreOnScreen();

  Bind(wxEVT_BUTTON, &LoginDialog::onLogin, this, wxID_OK);
  password_->Bind(wxEVT_TEXT_ENTER, &LoginDialog::onLogin, this);
  (options_.presetUser.empty() ? user_ : password_)->SetFocus();
}

void LoginDialog::setCredentials(const wxString& user, const wxString& password) {
  user_->ChangeValue(user);
  password_->ChangeValue(password);
}

void LoginDialog::submit() {
  wxCommandEvent e(wxEVT_BUTTON, wxID_OK);
  onLogin(e);
}

wxString LoginDialog::errorText() const { return error_->GetLabel(); }

void LoginDialog::setBusy(bool busy) {
  busy_ = busy;
  user_->Enable(!busy);
  password_->Enable(!busy);
  login_->Enable(!busy);
  if (busy) error_->SetLabel(_("Opening the store…"));
  SetCursor(busy ? *wxHOURGLASS_CURSOR : wxNullCursor);
}

void LoginDialog::onLogin(wxCommandEvent&) {
  if (busy_) return;
  const std::string user = fromWx(user_->GetValue().Strip(wxString::both));
  std::string password = fromWx(password_->GetValue());
  if (user.empty()) {
    error_->SetLabel(_("Enter your user name."));
    user_->SetFocus();
    return;
  }
  setBusy(true);
  wxWeakRef<LoginDialog> self(this);
  std::thread([self, path = options_.storePath, user, password]() mutable {
    auto result = std::make_shared<Result<std::unique_ptr<ws::Session>>>(
        ws::Session::login(path, user, password));
    std::fill(password.begin(), password.end(), '\0');
    wxTheApp->CallAfter([self, result] {
      if (self) self->finish(result);
    });
  }).detach();
}

void LoginDialog::finish(std::shared_ptr<Result<std::unique_ptr<ws::Session>>> result) {
  setBusy(false);
  if (!*result) {
    error_->SetLabel(loginErrorMessage(result->status()));
    error_->Wrap(FromDIP(360));
    password_->SelectAll();
    password_->SetFocus();
    Layout();
    Fit();
    return;
  }
  password_->ChangeValue(wxEmptyString);
  session_ = std::move(result->value());
  if (IsModal()) {
    EndModal(wxID_OK);
  } else {
    SetReturnCode(wxID_OK);
    Hide();
  }
}

}  // namespace rx::gui
