#include "reuse_dialog.h"

#include <wx/bitmap.h>
#include <wx/button.h>
#include <wx/choice.h>
#include <wx/display.h>
#include <wx/gdicmn.h>
#include <wx/image.h>
#include <wx/intl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/textdlg.h>

#include <algorithm>
#include <cstring>

#include <opencv2/imgproc.hpp>

#include "labels.h"
#include "page_view.h"
#include "rx_summary.h"
#include "workstation/review.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

// Width of each of the two pages: as large as fits the screen's height with the rest of the
// dialog (about 300 px), at most 420 px.
int sideBySideWidth() { return pageWidthOnScreen(320, 200, 420); }

wxBitmap pageBitmap(const cv::Mat& gray, int width) { return pageWithBoxes(gray, {}, width); }

// A read-only text pane the size of a page, for an e-prescription's content.
wxTextCtrl* contentPane(wxWindow* parent, const wxSize& size) {
  auto* pane = new wxTextCtrl(parent, wxID_ANY, wxEmptyString, wxDefaultPosition, size,
                              wxTE_MULTILINE | wxTE_READONLY);
  pane->Hide();
  return pane;
}

wxString findingLabel(dedup::Verdict v, bool overruled) {
  if (overruled) return _("Reuse suspected — overruled");
  switch (v) {
    case dedup::Verdict::kNew:
      return _("Not presented before");
    case dedup::Verdict::kSuspected:
      return _("Possibly presented before — compare the two");
    case dedup::Verdict::kCertain:
      return _("Presented before — do not dispense");
  }
  return wxEmptyString;
}

wxString agreementLabel(const nlohmann::json& v) {
  const std::string s = v.is_string() ? v.get<std::string>() : "";
  if (s == "same") return _("same");
  if (s == "near") return _("one character off");
  if (s == "differ") return _("different");
  return _("unknown");
}

}  // namespace

ReuseDialog::ReuseDialog(wxWindow* parent, ws::ReuseService& reuse, ws::Session& session,
                         std::int64_t record)
    : wxDialog(parent, wxID_ANY,
               wxString::Format(_("Prescription %lld: presented before?"),
                                static_cast<long long>(record)),
               wxDefaultPosition, wxDefaultSize, wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      reuse_(reuse),
      session_(session),
      record_(record) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  verdict_ = makeHeading(this, wxEmptyString, 2);
  top->Add(verdict_, 0, wxALL, 10);

  auto* pick = new wxBoxSizer(wxHORIZONTAL);
  pick->Add(new wxStaticText(this, wxID_ANY, _("Earlier presentation:")), 0,
            wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
  matches_ = new wxChoice(this, wxID_ANY);
  pick->Add(matches_, 1, wxALIGN_CENTER_VERTICAL);
  top->Add(pick, 0, wxEXPAND | wxLEFT | wxRIGHT, 10);

  auto* pages = new wxBoxSizer(wxHORIZONTAL);
  auto* left = new wxBoxSizer(wxVERTICAL);
  left->Add(new wxStaticText(this, wxID_ANY, _("This presentation")), 0, wxBOTTOM, 4);
  thisPage_ = new wxStaticBitmap(this, wxID_ANY, pageBitmap({}, sideBySideWidth()));
  left->Add(thisPage_);
  thisContent_ = contentPane(this, thisPage_->GetBestSize());
  left->Add(thisContent_);
  auto* right = new wxBoxSizer(wxVERTICAL);
  otherTitle_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  right->Add(otherTitle_, 0, wxBOTTOM, 4);
  otherPage_ = new wxStaticBitmap(this, wxID_ANY, pageBitmap({}, sideBySideWidth()));
  right->Add(otherPage_);
  otherContent_ = contentPane(this, otherPage_->GetBestSize());
  right->Add(otherContent_);
  pages->Add(left, 0, wxRIGHT, 10);
  pages->Add(right, 0);
  top->Add(pages, 0, wxALL, 10);

  details_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  top->Add(details_, 0, wxEXPAND | wxLEFT | wxRIGHT, 10);

  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  overruleButton_ = new wxButton(this, wxID_ANY, _("Overrule: a different prescription…"));
  buttons->Add(overruleButton_);
  buttons->AddStretchSpacer();
  buttons->Add(makeCloseButton(this));
  top->Add(buttons, 0, wxEXPAND | wxALL, 10);
  SetSizerAndFit(top);

  matches_->Bind(wxEVT_CHOICE, [this](wxCommandEvent& e) { showMatch(e.GetSelection()); });
  overruleButton_->Bind(wxEVT_BUTTON, &ReuseDialog::onOverrule, this);
  reload();
  Fit();
  CentreOnParent();
}

void ReuseDialog::reload() {
  auto finding = reuse_.finding(record_);
  finding_.reset();
  if (finding && *finding) finding_ = **finding;
  if (!finding) details_->SetLabel(explain(finding.status()));
  auto page = reuse_.page(record_);
  thisGray_ = page ? *page : cv::Mat();
  thisRx_ = electronicRecord(record_);
  verdict_->SetLabel(finding_ ? findingLabel(finding_->verdict, finding_->overruled())
                              : _("Not presented before"));
  matches_->Clear();
  if (finding_)
    for (const auto& m : finding_->matches)
      matches_->Append(wxString::Format(_("record %lld (%s), score %.2f"),
                                        static_cast<long long>(m.record), stateLabel(m.state),
                                        m.score));
  const bool any = matches_->GetCount() > 0;
  matches_->Enable(any);
  if (any) matches_->SetSelection(0);
  showMatch(any ? 0 : -1);
  overruleButton_->Enable(overruleEnabled());
  Layout();
}

bool ReuseDialog::overruleEnabled() const {
  return finding_ && finding_->verdict == dedup::Verdict::kSuspected && !finding_->overruled() &&
         session_.user().role == data::Role::kPharmacist;
}

void ReuseDialog::showMatch(int index) {
  if (!finding_ || index < 0 || index >= static_cast<int>(finding_->matches.size())) {
    otherTitle_->SetLabel(_("No earlier presentation matched"));
    showPane(otherPage_, otherContent_, std::nullopt, pageBitmap({}, sideBySideWidth()));
    showPane(thisPage_, thisContent_, thisRx_, pageBitmap(thisGray_, sideBySideWidth()));
    details_->SetLabel(finding_ && finding_->overruled()
                           ? wxString::Format(_("Overruled by %s: %s"),
                                              toWx(session_.shownName(*finding_->overruledBy)),
                                              toWx(finding_->overruleReason.value_or("")))
                           : wxString());
    return;
  }
  const ws::ReuseMatchInfo& m = finding_->matches[index];
  otherTitle_->SetLabel(
      wxString::Format(_("Record %lld, %s, arrived %s via %s"), static_cast<long long>(m.record),
                       stateLabel(m.state), beijingTime(m.arrivedAt),
                       // Another store's presentation names its store, not a user of this one.
                       toWx(m.store.empty() ? session_.shownName(m.arrivedBy) : m.arrivedBy)));
  auto page = reuse_.page(m.record);
  // The matched points drawn on both pages, one colour per pair.
  std::vector<cv::Point2f> earlierPoints, thisPoints;
  for (const auto& p : m.pagePoints) {
    earlierPoints.emplace_back(p[0], p[1]);
    thisPoints.emplace_back(p[2], p[3]);
  }
  showPane(otherPage_, otherContent_,
           m.kind == "electronic" ? electronicRecord(m.record) : std::nullopt,
           pageWithMarks(page ? *page : cv::Mat(), {}, earlierPoints, sideBySideWidth()));
  showPane(thisPage_, thisContent_, thisRx_,
           pageWithMarks(thisGray_, {}, thisPoints, sideBySideWidth()));
  const auto& s = m.signals;
  wxString text = wxString::Format(_("Why: %s"), reuseRuleLabel(m.rule)) + "\n";
  text += wxString::Format(_("Number %s · issuer %s · date %s · patient %s"),
                           agreementLabel(s.value("number", nlohmann::json())),
                           agreementLabel(s.value("issuer", nlohmann::json())),
                           agreementLabel(s.value("date", nlohmann::json())),
                           agreementLabel(s.value("patient", nlohmann::json())));
  if (s.contains("drugs") && s["drugs"].is_number())
    text += wxString::Format(_(" · drugs %.0f%% alike"), 100 * s["drugs"].get<double>());
  text += "\n";
  if (s.contains("page") && s["page"].is_object()) {
    const auto& p = s["page"];
    text += wxString::Format(
        _("Page image: %d points match; %d written places of the earlier page found on this one, "
          "%d with different writing"),
        p.value("features", 0), p.value("ink_found", 0), p.value("ink_different", 0));
    if (p.value("same_paper", false)) text += _(" — the same written page");
    if (p.value("other_writing", false)) text += _(" — the same form with other writing");
    text += "\n";
  }
  text += wxString::Format(_("The earlier prescription: %s."), handOutLabel(m)) + "\n";
  if (finding_->overruled())
    text +=
        wxString::Format(_("Overruled by %s: %s"), toWx(session_.shownName(*finding_->overruledBy)),
                         toWx(finding_->overruleReason.value_or("")));
  details_->SetLabel(text);
}

std::optional<data::PrescriptionRecord> ReuseDialog::electronicRecord(std::int64_t record) {
  // Only this store's records are here (another store's match has a negative number).
  if (record <= 0) return std::nullopt;
  auto r = ws::ReviewService(session_).record(record);
  if (!r || r->kind != data::RxKind::kElectronic) return std::nullopt;
  return std::move(*r);
}

void ReuseDialog::showPane(wxStaticBitmap* page, wxTextCtrl* content,
                           const std::optional<data::PrescriptionRecord>& rx,
                           const wxBitmap& bitmap) {
  page->SetBitmap(bitmap);
  page->Show(!rx);
  content->SetValue(rx ? electronicSummary(*rx) : wxString());
  content->Show(rx.has_value());
  Layout();
}

wxString ReuseDialog::contentShown(bool earlier) const {
  const wxTextCtrl* pane = earlier ? otherContent_ : thisContent_;
  return pane->IsShown() ? pane->GetValue() : wxString();
}

wxString ReuseDialog::matchText() const {
  return otherTitle_->GetLabel() + "\n" + details_->GetLabel();
}

wxString ReuseDialog::overrule(const wxString& reason) {
  Status s = reuse_.overrule(record_, fromWx(reason));
  if (!s) return explain(s, _("The suspicion was not overruled."));
  reload();
  return wxEmptyString;
}

void ReuseDialog::onOverrule(wxCommandEvent&) {
  wxTextEntryDialog ask(this, _("Why is this a different prescription? (kept in the audit log)"),
                        _("Overrule the reuse suspicion"));
  if (ask.ShowModal() != wxID_OK) return;
  const wxString error = overrule(ask.GetValue());
  if (!error.empty()) wxMessageBox(error, _("Not overruled"), wxOK | wxICON_WARNING, this);
}

}  // namespace rx::gui
