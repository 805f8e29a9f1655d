// Reviewing one prescription (审方): the page with the fields' boxes drawn over it (paper) or the
// signed content and its signer (electronic); the fields, editable, those read with low confidence
// highlighted and to be ticked as checked; the buyer's ID number (实名制); the automatic checks;
// the reuse evidence; and the signed decision — approve, reject or ask — with reason and note.
// Opening takes the review lock; every action has a keyboard shortcut (Alt + underlined letter).
#pragma once

#include <wx/dialog.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <wx/arrstr.h>

#include "workstation/review.h"

class wxCheckBox;
class wxComboBox;
class wxDataViewListCtrl;
class wxFlexGridSizer;
class wxScrolledWindow;
class wxStaticBitmap;
class wxStaticText;
class wxTextCtrl;
class wxButton;

namespace rx::gui {

class PageView;

class ReviewDialog : public wxDialog {
 public:
  ReviewDialog(wxWindow* parent, ws::ReviewService& review, ws::Session& session,
               std::int64_t record);
  // Closed without a decision, the prescription goes back to the queue unlocked: when the dialog
  // is destroyed, or at Destroy() already (the deletion itself comes later, at idle time, when the
  // review service it was given may be gone).
  ~ReviewDialog() override;
  bool Destroy() override;

  // For tests and the buttons alike. Each returns the error shown, empty when it was done.
  void setField(const std::string& name, const wxString& value);
  void setPatientId(const wxString& id);
  // Ticks every low-confidence field as checked by the pharmacist.
  void tickAllChecked();
  void setBuyerConfirmed(bool confirmed);
  void setReason(const wxString& reason, const wxString& note);
  wxString approve();
  wxString reject();
  wxString ask();
  // Fields still to be ticked before approval (read with low confidence).
  int unticked() const;
  wxString checksText() const;
  // True when every check is on screen without scrolling: each row of the list inside it, and
  // the line of checks passed no wider than the list.
  bool allChecksShown() const;
  wxString errorText() const;
  bool opened() const { return opened_; }  // the review lock was taken
  // The hint shown on field `name` (fieldKey) when it is to be checked; empty otherwise.
  wxString fieldHint(const std::string& name) const;
  PageView* pageView() const { return pageView_; }  // paper prescriptions only
  // The drug lines (paper): line numbers from 1 as shown. setDrugLine fills a cell as the
  // pharmacist types it (an empty name removes the line when saved); addDrugLine adds an empty
  // line at the end. Saved with the decision, checked against the catalogue by the service.
  int drugLineCount() const { return static_cast<int>(drugs_.size()); }
  wxString drugLineName(int line) const;
  bool drugLineFlagged(int line) const;  // highlighted: not in the catalogue
  // Highlighted: read without its quantity or unit (to be filled in before approval).
  bool drugLineAmountFlagged(int line) const;
  void setDrugLine(int line, const wxString& name, const wxString& quantity = wxEmptyString,
                   const wxString& unit = wxEmptyString);
  void addDrugLine();

 private:
  struct FieldRow {
    wxTextCtrl* value = nullptr;
    wxCheckBox* checked = nullptr;  // only for low-confidence fields
    std::string original;
  };
  struct DrugRow {
    wxTextCtrl* name = nullptr;
    wxTextCtrl* spec = nullptr;
    wxTextCtrl* quantity = nullptr;
    wxTextCtrl* unit = nullptr;
    data::RxItem original;  // as stored; an added line has an empty name
  };
  // Construction steps, in the order the controls are created (which is the tab order).
  void showNotOpened(wxSizer* top, const Status& why);
  void buildPage(wxWindow* parent, wxSizer* into);
  PageView* pageView_ = nullptr;
  void buildElectronic(wxWindow* parent, wxSizer* into);
  void buildFields(wxSizer* side);
  void addFieldRow(wxFlexGridSizer* grid, const std::string& name, const ws::ReadField& read);
  void buildDrugLines(wxSizer* side);
  void fillDrugLines();  // (again) from rx_.items
  void fitDrugLines();   // the panel's height: up to four lines, then it scrolls
  void addDrugRow(const data::RxItem& item);
  // The drug-line keys (drug_lines.h) for what was changed or added.
  std::map<std::string, std::string> drugEdits() const;
  // The drug lines shown without a quantity or unit, as "2, 3"; empty when there are none.
  wxString linesWithoutAmount() const;
  void buildChecks(wxSizer* side);
  void buildDecisionInputs(wxSizer* side);
  void buildButtons(wxSizer* side);
  Status saveFields();
  void refreshChecks();
  void wrapPassed();  // to the width the checks list was given
  wxString decide(ws::Decision decision);
  void showError(const wxString& text);
  void releaseReview();

  ws::ReviewService& review_;
  ws::Session& session_;
  std::int64_t record_;
  data::PrescriptionRecord rx_;
  ws::ReadFields read_;
  bool opened_ = false;
  bool released_ = false;  // releaseReview() ran
  double lowConfidence_ = ws::ReviewSettings{}.lowConfidence;
  std::map<std::string, FieldRow> fields_;
  std::vector<DrugRow> drugs_;
  wxScrolledWindow* drugPanel_ = nullptr;
  wxFlexGridSizer* drugGrid_ = nullptr;
  wxArrayString catalogueNames_;
  wxTextCtrl* patientId_ = nullptr;
  wxDataViewListCtrl* checks_ = nullptr;  // what blocks or needs a look
  wxStaticText* passed_ = nullptr;        // the checks passed, in one wrapped line
  wxString passedText_;                   // passed_'s text before wrapping
  wxCheckBox* buyerConfirmed_ = nullptr;
  wxComboBox* reason_ = nullptr;
  wxTextCtrl* note_ = nullptr;
  wxStaticText* error_ = nullptr;
  wxButton* approve_ = nullptr;
};

// A check's message in the interface language (the service writes it in English).
wxString checkMessage(const ws::RuleCheck& check);

}  // namespace rx::gui
