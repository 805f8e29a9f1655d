// Administration (File ▸ Administration…, Ctrl+Shift+A): the store's users (admins), the provider
// agreements (supervisors and admins import, inspect, suspend, resume and revoke; everyone reads)
// and the workstation's settings (admins change; everyone reads). Every change goes through the
// same services as rxdesk-cli, so it is checked, signed and audited the same way.
#pragma once

#include <wx/dialog.h>

#include <map>
#include <string>
#include <vector>

#include "data/agreements.h"
#include "data/users.h"
#include "workstation/session.h"

class wxButton;
class wxCheckBox;
class wxDataViewListCtrl;
class wxNotebook;
class wxStaticText;
class wxTextCtrl;
class wxWindow;

namespace rx::gui {

class AdminDialog : public wxDialog {
 public:
  AdminDialog(wxWindow* parent, ws::Session& session);

  wxNotebook* pages() const { return pages_; }
  // Each of these returns the error shown to the user, empty when it worked.

  // Users (admins).
  int userRows() const;
  wxString addUser(const data::NewUser& user, const wxString& password);
  wxString removeUser(const std::string& name);
  wxString setPassword(const std::string& name, const wxString& password);

  // Agreements. `confirm` asks the supervisor to compare the key fingerprints before the
  // agreement is countersigned; the tests pass false after reading agreementPreview().
  int agreementRows() const;
  wxString importAgreement(const std::string& file, bool confirm);
  wxString agreementPreview() const { return preview_; }
  wxString changeAgreement(int row, data::AgreementStatus to, const wxString& reason);
  // The selected agreement's parties, keys, scope and history.
  wxString agreementDetail() const;
  void selectAgreement(int row);

  // Settings: values typed into the form, then saved (admins).
  bool setFormValue(const std::string& key, const wxString& value);
  wxString saveSettings();
  wxString settingValue(const std::string& key) const;

  wxString errorText() const;

 private:
  // Each tab's page; the Users and Settings pages are in admin_users.cpp and admin_settings.cpp.
  wxWindow* buildUsers(wxNotebook* book);
  void bindUserButtons(wxButton* add, wxButton* password, wxButton* remove);
  wxWindow* buildAgreements(wxNotebook* book);
  void bindAgreementButtons(wxButton* importButton, wxButton* suspend, wxButton* resume,
                            wxButton* revoke);
  wxWindow* buildSettings(wxNotebook* book);
  void loadUsers();
  void loadAgreements();
  void loadSettings();
  wxString fail(const Status& status);
  std::string selectedUser() const;

  ws::Session& session_;
  bool admin_ = false, supervisor_ = false;
  wxNotebook* pages_ = nullptr;
  wxStaticText* error_ = nullptr;
  wxDataViewListCtrl* users_ = nullptr;
  wxCheckBox* showRemoved_ = nullptr;
  std::vector<std::string> userNames_;
  wxDataViewListCtrl* agreements_ = nullptr;
  wxTextCtrl* agreementText_ = nullptr;
  std::vector<std::string> agreementNos_;
  wxString preview_;
  struct SettingControl {
    wxWindow* control = nullptr;
    std::string loaded;  // the value when the form was filled
  };
  std::map<std::string, SettingControl> settings_;
};

}  // namespace rx::gui
