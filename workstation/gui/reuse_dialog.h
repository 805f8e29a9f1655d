// "Presented before?": a presentation beside the earlier one it matched, with the matched record's
// state, when and by whom it came, and every signal; a pharmacist may overrule a suspicion here
// with a reason (audited). Opened from the queue for any prescription whose reuse check fired.
#pragma once

#include <wx/dialog.h>

#include <cstdint>
#include <optional>

#include <opencv2/core.hpp>

#include "data/prescriptions.h"
#include "workstation/reuse.h"

class wxChoice;
class wxStaticBitmap;
class wxStaticText;
class wxTextCtrl;
class wxButton;

namespace rx::gui {

class ReuseDialog : public wxDialog {
 public:
  // `reuse` must outlive the dialog.
  ReuseDialog(wxWindow* parent, ws::ReuseService& reuse, ws::Session& session, std::int64_t record);

  // The text shown about the selected match (for tests).
  wxString matchText() const;
  // What stands in a pane in place of a page: an e-prescription's signed content (empty when the
  // pane shows a page). `earlier`: the selected match's pane, else this presentation's.
  wxString contentShown(bool earlier) const;
  bool overruleEnabled() const;
  // Overrules with `reason` as the button does after asking; returns the error text, empty if done.
  wxString overrule(const wxString& reason);

 private:
  void showMatch(int index);
  // This store's record `record` when it is an e-prescription (its content stands in for a page).
  std::optional<data::PrescriptionRecord> electronicRecord(std::int64_t record);
  // Shows `bitmap` in a pane, or, for an e-prescription, its content as text.
  void showPane(wxStaticBitmap* page, wxTextCtrl* content,
                const std::optional<data::PrescriptionRecord>& rx, const wxBitmap& bitmap);
  void reload();
  void onOverrule(wxCommandEvent&);

  ws::ReuseService& reuse_;
  ws::Session& session_;
  std::int64_t record_;
  std::optional<ws::ReuseFinding> finding_;
  cv::Mat thisGray_;  // this presentation's page, to draw the matched points on
  std::optional<data::PrescriptionRecord> thisRx_;  // this presentation, when an e-prescription
  wxStaticText* verdict_;
  wxChoice* matches_;
  wxStaticBitmap* thisPage_;
  wxStaticBitmap* otherPage_;
  wxTextCtrl* thisContent_;   // in place of thisPage_ for an e-prescription
  wxTextCtrl* otherContent_;  // in place of otherPage_
  wxStaticText* otherTitle_;
  wxStaticText* details_;
  wxButton* overruleButton_;
};

}  // namespace rx::gui
