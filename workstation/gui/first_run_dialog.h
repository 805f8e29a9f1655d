// The first-run dialog: shown when the workstation starts without a store. It asks for the
// pharmacy's identity, the first admin and pharmacist, where the store lives, the idle lock and
// whether to add demo data, then creates the store (ws::setUpPharmacy) on a worker thread.
#pragma once

#include <wx/dialog.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/status.h"

class wxTextCtrl;
class wxStaticText;
class wxButton;
class wxSpinCtrl;
class wxCheckBox;
class wxSizer;
class wxStaticBoxSizer;

namespace rx::gui {

class FirstRunDialog : public wxDialog {
 public:
  FirstRunDialog(wxWindow* parent, const std::string& storePath);

  // Fields by name, for tests: pharmacy_name, uscc, licence, admin, admin_password,
  // admin_password2, pharmacist, pharmacist_display, pharmacist_licence, pharmacist_password,
  // pharmacist_password2, store.
  void setField(const std::string& name, const wxString& value);
  void setDemoData(bool on);
  void submit();  // same as pressing "Create"
  bool busy() const { return busy_; }
  wxString errorText() const;
  // After success: the store created and the pharmacist to log in as.
  const std::string& storePath() const { return createdStore_; }
  const std::string& pharmacist() const { return createdPharmacist_; }

 private:
  // Construction steps, in the order the controls are created (which is the tab order).
  void buildIntro(wxSizer* top);
  void buildColumns(wxSizer* top, const std::string& storePath);
  wxStaticBoxSizer* buildStationBox(const std::string& storePath);
  void buildButtons(wxSizer* top);
  // A titled box of labelled text fields: field name, label, wxTextCtrl style.
  using FieldSpec = std::tuple<const char*, wxString, long>;
  wxStaticBoxSizer* fieldGroup(const wxString& title, std::initializer_list<FieldSpec> rows);
  wxTextCtrl* field(const std::string& name) const;
  void onCreate(wxCommandEvent&);
  void finish(const Status& status);
  void setBusy(bool busy);

  std::vector<std::pair<std::string, wxTextCtrl*>> fields_;
  wxSpinCtrl* idleLock_;
  wxCheckBox* demo_;
  wxStaticText* error_;
  wxButton* create_;
  bool busy_ = false;
  std::string createdStore_, createdPharmacist_;
};

}  // namespace rx::gui
