// "Presented before?": a presentation beside the earlier one it matched, with the matched record's
// state, when and by whom it came, and every signal; a pharmacist may overrule a suspicion here
// with a reason (audited). Opened from the queue for any prescription whose reuse check fired.
#pragma once

#include <wx/dialog.h>

#include <cstdint>
#include <optional>

#include <opencv2/core.hpp>

#include "workstation/reuse.h"

class wxChoice;
class wxStaticBitmap;
class wxStaticText;
class wxButton;

namespace rx::gui {

class ReuseDialog : public wxDialog {
 public:
  // `reuse` must outlive the dialog.
  ReuseDialog(wxWindow* parent, ws::ReuseService& reuse, ws::Session& session, std::int64_t record);

  // The text shown about the selected match (for tests).
  wxString matchText() const;
  bool overruleEnabled() const;
  // Overrules with `reason` as the button does after asking; returns the error text, empty if done.
  wxString overrule(const wxString& reason);

 private:
  void showMatch(int index);
  void reload();
  void onOverrule(wxCommandEvent&);

  ws::ReuseService& reuse_;
  ws::Session& session_;
  std::int64_t record_;
  std::optional<ws::ReuseFinding> finding_;
  cv::Mat thisGray_;  // this presentation's page, to draw the matched points on
  wxStaticText* verdict_;
  wxChoice* matches_;
  wxStaticBitmap* thisPage_;
  wxStaticBitmap* otherPage_;
  wxStaticText* otherTitle_;
  wxStaticText* details_;
  wxButton* overruleButton_;
};

}  // namespace rx::gui
