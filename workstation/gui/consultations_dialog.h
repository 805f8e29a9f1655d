// Consultations (用药咨询): write one down — linked to the prescription being reviewed or to a
// patient, or anonymous — and find earlier ones by words, patient or drug. Pharmacists see their
// own and those of the prescriptions they handled; supervisors see all (their reads are audited).
#pragma once

#include <wx/dialog.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "workstation/consultations.h"

class wxChoice;
class wxDataViewListCtrl;
class wxSizer;
class wxSpinCtrl;
class wxStaticText;
class wxTextCtrl;

namespace rx::gui {

class ConsultationsDialog : public wxDialog {
 public:
  // `prescription`: the one being reviewed, linked to what is recorded here.
  ConsultationsDialog(wxWindow* parent, ws::Session& session,
                      std::optional<std::int64_t> prescription = std::nullopt);

  // For tests and the buttons alike.
  void setNew(const wxString& patient, const wxString& question, const wxString& advice,
              const wxString& drugs, int minutes);
  // Records the form; returns the error shown, empty when saved (the form is cleared).
  wxString save();
  // Searches; returns the number of consultations listed.
  int find(const wxString& words);
  wxString detailText() const;
  wxString errorText() const;
  // Whether something is typed in the new consultation and not saved.
  bool unsaved() const;
  // Closing: true at once when nothing is unsaved, else the pharmacist is asked whether to
  // discard it.
  bool mayClose();

 private:
  wxSizer* buildFindColumn();
  wxSizer* buildNewColumn();
  wxSizer* buildNewForm();
  void bindClose();
  void showSelected();

  ws::Session& session_;
  ws::ConsultationService service_;
  std::optional<std::int64_t> prescription_;
  std::vector<data::ConsultationRecord> found_;
  wxTextCtrl* search_;
  wxDataViewListCtrl* list_;
  wxTextCtrl* detail_;
  wxChoice* channel_;
  wxTextCtrl* patient_;
  wxTextCtrl* question_;
  wxTextCtrl* advice_;
  wxTextCtrl* drugs_;
  wxSpinCtrl* minutes_;
  wxStaticText* error_;
};

}  // namespace rx::gui
