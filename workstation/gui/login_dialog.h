// The login dialog: user name and password for one store. The password check (scrypt, about
// 0.1 s) runs on a worker thread; the result comes back with CallAfter.
#pragma once

#include <wx/dialog.h>
#include <wx/weakref.h>

#include <memory>
#include <string>

#include "workstation/session.h"

class wxTextCtrl;
class wxStaticText;
class wxButton;

namespace rx::gui {

class LoginDialog : public wxDialog {
 public:
  struct Options {
    std::string storePath;
    std::string presetUser;
    wxString hint;  // e.g. the demo accounts
  };
  LoginDialog(wxWindow* parent, Options options);

  // Returns the session after a successful login (once), else null.
  std::unique_ptr<ws::Session> takeSession() { return std::move(session_); }

  // Fills the fields as a user would type them (tests and the demo use this).
  void setCredentials(const wxString& user, const wxString& password);
  // Same as pressing "Log in".
  void submit();
  // The message shown under the fields after a failed attempt.
  wxString errorText() const;
  bool busy() const { return busy_; }

 private:
  void onLogin(wxCommandEvent&);
  void finish(std::shared_ptr<Result<std::unique_ptr<ws::Session>>> result);
  void setBusy(bool busy);

  Options options_;
  wxTextCtrl* user_;
  wxTextCtrl* password_;
  wxStaticText* error_;
  wxButton* login_;
  bool busy_ = false;
  std::unique_ptr<ws::Session> session_;
};

// Returns the message a pharmacist should read for a failed login.
wxString loginErrorMessage(const Status& status);

}  // namespace rx::gui
