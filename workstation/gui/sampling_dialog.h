// The supervisor's audit sampling (处方点评, File ▸ Audit sampling…, Ctrl+Shift+S): draw a round of
// review decisions and consultations for a period, read each item, score it appropriate or
// inappropriate with the round's reasons, and close the round signed. A pharmacist sees the
// findings about their own work from closed rounds. Same service as `rxdesk-cli sampling`.
#pragma once

#include <wx/dialog.h>

#include <string>
#include <vector>

#include "data/sampling.h"
#include "workstation/session.h"

class wxCheckListBox;
class wxDataViewListCtrl;
class wxRadioBox;
class wxSizer;
class wxSpinCtrlDouble;
class wxStaticText;
class wxTextCtrl;

namespace rx::gui {

class SamplingDialog : public wxDialog {
 public:
  SamplingDialog(wxWindow* parent, ws::Session& session);

  // Each returns the error shown, empty when it worked.
  wxString createRound(const wxString& from, const wxString& to, double percent);
  int roundRows() const;
  void selectRound(int row);
  int itemRows() const;
  void selectItem(int row);
  // The selected item as the supervisor reads it.
  wxString itemText() const;
  // Scores the selected item; `reasons` are indexes into the round's criteria.
  wxString scoreItem(bool appropriate, const std::vector<int>& reasons, const wxString& comment);
  // Closes the selected round, signed with the supervisor's key (no more scoring).
  wxString closeRound();
  // The button: asks first, since a signed round cannot be changed; empty when not closed.
  wxString closeRoundAsked();
  // The selected round's state as shown (open, n of m scored / closed and signed).
  wxString roundState() const;
  wxString errorText() const;
  // A pharmacist's own findings (rows), in findings mode.
  int findingRows() const;
  // The selected round's items (item, pharmacist, score), in supervisor mode.
  wxDataViewListCtrl* itemList() const { return items_; }
  // True when every reason of the selected round is in sight without scrolling.
  bool allReasonsShown() const;

 private:
  void buildFindings(wxSizer* top);
  void loadFindings();
  wxSizer* buildRoundsColumn();
  wxSizer* buildScoringColumn();
  wxSizer* buildScoringButtons();
  void loadRounds();
  void loadItems();
  wxString fail(const Status& status);

  ws::Session& session_;
  wxDataViewListCtrl* rounds_ = nullptr;
  wxDataViewListCtrl* items_ = nullptr;
  wxTextCtrl* from_ = nullptr;
  wxTextCtrl* to_ = nullptr;
  wxSpinCtrlDouble* percent_ = nullptr;
  wxTextCtrl* detail_ = nullptr;
  wxRadioBox* verdict_ = nullptr;
  wxCheckListBox* reasons_ = nullptr;
  wxTextCtrl* comment_ = nullptr;
  wxStaticText* state_ = nullptr;
  wxStaticText* error_ = nullptr;
  wxDataViewListCtrl* findings_ = nullptr;
  std::vector<data::RoundRecord> roundList_;
  std::vector<data::ItemRecord> itemList_;
  std::vector<std::string> criteria_;
};

}  // namespace rx::gui
