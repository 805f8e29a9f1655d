#include "review_dialog.h"

#include <spdlog/spdlog.h>

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/combobox.h>
#include <wx/dataview.h>
#include <wx/display.h>
#include <wx/intl.h>
#include <wx/scrolwin.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/statbox.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <algorithm>

#include "base/time.h"
#include "labels.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

wxString severityLabel(ws::Severity s) {
  switch (s) {
    case ws::Severity::kOk:
      return wxString::FromUTF8("✓");
    case ws::Severity::kWarn:
      return _("check");
    case ws::Severity::kBlock:
      return _("BLOCKS");
  }
  return wxEmptyString;
}

// The checks' messages from the service layer, for xgettext; translated at run time by their text.
[[maybe_unused]] const char* const kCheckMessages[] = {
    wxTRANSLATE("no special-management drugs"),
    wxTRANSLATE("special-management drugs cannot be dispensed here (M8)"),
    wxTRANSLATE("no ephedrine compounds"),
    wxTRANSLATE("contains ephedrine compounds: check quantity and buyer (G10)"),
    wxTRANSLATE("quantities within the supply limit"),
    wxTRANSLATE("no drug prescribed twice"),
    wxTRANSLATE("the same drug appears twice"),
    wxTRANSLATE("no drugs could be read"),
    wxTRANSLATE("every drug is in the catalogue"),
    wxTRANSLATE("drugs not in the catalogue: compare them with the paper and correct the drug "
                "line"),
    wxTRANSLATE("every drug line has its quantity and unit"),
    wxTRANSLATE("drug lines without a quantity or unit: fill them in from the paper"),
    wxTRANSLATE("the prescription date is missing or unreadable"),
    wxTRANSLATE("the prescription is dated in the future"),
    wxTRANSLATE("within its validity"),
    wxTRANSLATE("patient's real name and ID number recorded"),
    wxTRANSLATE("record the patient's real name and ID number (实名制)"),
    wxTRANSLATE("signature and provider agreement verified"),
    wxTRANSLATE("the e-prescription's signature or provider agreement was not accepted"),
    wxTRANSLATE("all drugs within the agreement's scope"),
    wxTRANSLATE("drugs outside the provider agreement's scope"),
    wxTRANSLATE("this prescription was presented before (reuse certain)"),
    wxTRANSLATE("this may be a prescription presented before: compare, then overrule with a "
                "reason if it is a different one"),
    wxTRANSLATE("not presented before"),
    wxTRANSLATE("all read fields are certain or confirmed"),
    wxTRANSLATE("confirm the fields read with low confidence"),
};

}  // namespace

wxString checkMessage(const ws::RuleCheck& check) {
  const wxString text = toWx(check.message);
  const wxString translated = wxGetTranslation(text);
  if (translated != text) return translated;
  // The messages that carry a value: translated around it.
  const auto startsWith = [&](const char* prefix) { return check.message.rfind(prefix, 0) == 0; };
  if (startsWith("the prescription expired"))
    return wxString::Format(_("the prescription expired (issued %s)"), toWx(check.evidence));
  if (startsWith("quantity above the supply limit of "))
    return wxString::Format(_("quantity above the supply limit of %s"),
                            toWx(check.message.substr(35)));
  if (startsWith("this prescription was already used"))
    return _("this prescription was already used") + " " + toWx(check.message.substr(34));
  if (startsWith("reuse suspicion overruled by "))
    return _("reuse suspicion overruled by") + " " + toWx(check.message.substr(29));
  return text;
}

ReviewDialog::ReviewDialog(wxWindow* parent, ws::ReviewService& review, ws::Session& session,
                           std::int64_t record)
    : wxDialog(parent, wxID_ANY,
               wxString::Format(_("Review prescription %lld"), static_cast<long long>(record)),
               wxDefaultPosition, wxDefaultSize, wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      review_(review),
      session_(session),
      record_(record) {
  auto opened = review_.startReview(record_);
  auto* top = new wxBoxSizer(wxVERTICAL);
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  error_->SetForegroundColour(wxColour(170, 30, 30));
  if (!opened) {
    showNotOpened(top, opened.status());
    return;
  }
  opened_ = true;
  rx_ = *opened;
  // The same threshold as the checks (setting review.low_confidence).
  if (auto low = review_.lowConfidence()) lowConfidence_ = *low;

  auto* body = new wxBoxSizer(wxHORIZONTAL);
  read_ = review_.readFields(rx_);
  if (rx_.kind == data::RxKind::kPaper)
    buildPage(this, body);
  else
    buildElectronic(this, body);
  auto* side = new wxBoxSizer(wxVERTICAL);
  buildFields(side);
  buildDrugLines(side);
  buildChecks(side);
  buildDecisionInputs(side);
  buildButtons(side);
  body->Add(side, 1, wxEXPAND | wxALL, 10);
  top->Add(body, 1, wxEXPAND);
  SetSizerAndFit(top);
  refreshChecks();
  CentreOnParent();
}

void ReviewDialog::showNotOpened(wxSizer* top, const Status& why) {
  // Another pharmacist has it open, or it was decided meanwhile: said once, nothing to do here.
  top->Add(error_, 0, wxALL, 12);
  showError(explain(why, why.code() == ErrorCode::kConflict
                             ? _("Another pharmacist has this prescription open, or it was "
                                 "decided meanwhile.")
                             : wxString()));
  top->Add(makeCloseButton(this), 0, wxALIGN_RIGHT | wxALL, 8);
  SetSizerAndFit(top);
}

void ReviewDialog::setField(const std::string& name, const wxString& value) {
  auto it = fields_.find(name);
  if (it != fields_.end()) it->second.value->SetValue(value);
}
void ReviewDialog::setPatientId(const wxString& id) { patientId_->SetValue(id); }
void ReviewDialog::tickAllChecked() {
  for (auto& [name, row] : fields_) {
    if (row.checked) row.checked->SetValue(true);
  }
}
void ReviewDialog::setBuyerConfirmed(bool confirmed) { buyerConfirmed_->SetValue(confirmed); }
void ReviewDialog::setReason(const wxString& reason, const wxString& note) {
  reason_->SetValue(reason);
  note_->SetValue(note);
}

int ReviewDialog::unticked() const {
  return static_cast<int>(std::count_if(fields_.begin(), fields_.end(), [](const auto& f) {
    return f.second.checked && !f.second.checked->GetValue();
  }));
}

wxString ReviewDialog::checksText() const {
  wxString text;
  if (!checks_) return text;
  for (int i = 0; i < checks_->GetItemCount(); ++i)
    text << checks_->GetTextValue(i, 0) << " " << checks_->GetTextValue(i, 1) << "\n";
  return text + passedText_;
}

bool ReviewDialog::allChecksShown() const {
  if (!checks_ || !passed_) return false;
  const int rows = checks_->GetItemCount();
  if (rows > 0) {
    const wxRect last = checks_->GetItemRect(checks_->RowToItem(rows - 1));
    if (last.IsEmpty() || last.GetBottom() >= checks_->GetClientSize().y) return false;
  }
  return passed_->GetBestSize().x <= checks_->GetSize().x && passed_->GetSize().y > 0;
}

ReviewDialog::~ReviewDialog() { releaseReview(); }

bool ReviewDialog::Destroy() {
  releaseReview();
  return wxDialog::Destroy();
}

void ReviewDialog::releaseReview() {
  if (!opened_ || released_) return;
  released_ = true;
  if (Status closed = review_.closeReview(record_); !closed)
    spdlog::warn("review of record {} not closed: {}", record_, errorCodeName(closed.code()));
}

wxString ReviewDialog::errorText() const { return error_->GetLabel(); }

wxString ReviewDialog::fieldHint(const std::string& name) const {
  auto it = fields_.find(name);
  return it == fields_.end() || !it->second.checked ? wxString()
                                                    : it->second.value->GetToolTipText();
}

void ReviewDialog::showError(const wxString& text) {
  error_->SetLabel(text);
  error_->Wrap(FromDIP(460));
  if (GetSizer()) Layout();
}

Status ReviewDialog::saveFields() {
  std::map<std::string, std::string> values;
  for (const auto& [name, row] : fields_) {
    const std::string now = fromWx(row.value->GetValue());
    // Ticked or corrected fields are confirmed; the others stay as read.
    if (now != row.original || (row.checked && row.checked->GetValue())) values[name] = now;
  }
  const std::string id = fromWx(patientId_->GetValue());
  if (!id.empty() && id != rx_.patientIdNo.value_or("")) values["patient_id_no"] = id;
  const auto drugs = drugEdits();
  values.insert(drugs.begin(), drugs.end());
  if (values.empty()) return Status::ok();
  RX_RETURN_IF_ERROR(review_.confirmFields(record_, values));
  for (auto& [name, value] : values) {
    auto it = fields_.find(name);
    if (it != fields_.end()) it->second.original = value;
  }
  if (values.count("patient_id_no")) rx_.patientIdNo = values["patient_id_no"];
  if (!drugs.empty()) {
    // Renumbered and named as the catalogue writes them: shown again as stored. Should that
    // read fail, the lines can no longer be edited here (their numbers are no longer known).
    auto stored = review_.record(record_);
    if (stored) {
      rx_.items = std::move(stored->items);
      fillDrugLines();
    } else {
      drugs_.clear();
      drugPanel_->Disable();
    }
    Layout();
  }
  return Status::ok();
}

void ReviewDialog::refreshChecks() {
  checks_->DeleteAllItems();
  auto list = review_.checks(record_, beijingToday());
  if (!list) {
    showError(explain(list.status()));
    return;
  }
  // What blocks first, then what needs a look; the checks passed are listed under the list.
  std::stable_sort(list->begin(), list->end(), [](const ws::RuleCheck& a, const ws::RuleCheck& b) {
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
  std::vector<wxString> passed;
  for (const auto& c : *list) {
    if (c.severity == ws::Severity::kOk) {
      passed.push_back(checkMessage(c));
      continue;
    }
    wxVector<wxVariant> row;
    const char* colour = c.severity == ws::Severity::kBlock  ? "#b00020"
                         : c.severity == ws::Severity::kWarn ? "#b35900"
                                                             : "#1b7a2f";
    row.push_back(wxString::Format("<span foreground='%s' weight='bold'>%s</span>", colour,
                                   markupEscaped(severityLabel(c.severity))));
    row.push_back(checkMessage(c));
    checks_->AppendItem(row);
  }
  if (checks_->GetItemCount() == 0) {
    wxVector<wxVariant> row;
    row.push_back(wxString::Format("<span foreground='#1b7a2f' weight='bold'>%s</span>",
                                   markupEscaped(severityLabel(ws::Severity::kOk))));
    row.push_back(_("Nothing blocks or needs a look"));
    checks_->AppendItem(row);
  }
  passedText_.clear();
  for (const wxString& message : passed)
    passedText_ << (passedText_.empty() ? wxString::FromUTF8("✓ ") + _("Passed:") + " " : _("; "))
                << message;
  wrapPassed();
}

// Wrapped where there are spaces: the translation's separator keeps one (； ) for Chinese.
void ReviewDialog::wrapPassed() {
  if (!passed_) return;
  passed_->SetLabelText(passedText_);  // a message's & is no mnemonic
  const int width = checks_->GetSize().x;
  passed_->Wrap(width > FromDIP(100) ? width : FromDIP(460));
  Layout();
}

wxString ReviewDialog::decide(ws::Decision decision) {
  if (!opened_) return errorText();
  if (decision == ws::Decision::kApprove && unticked() > 0) {
    showError(wxString::Format(_("Tick the %d highlighted field(s) once you have compared them "
                                 "with the paper."),
                               unticked()));
    return errorText();
  }
  if (Status saved = saveFields(); !saved) {
    showError(explain(saved, _("The corrected fields were not saved.")));
    return errorText();
  }
  refreshChecks();
  // Saved as typed, but not approved while a line does not say how much of what to hand out.
  if (const wxString lines = linesWithoutAmount();
      decision == ws::Decision::kApprove && !lines.empty()) {
    showError(wxString::Format(_("Fill in the quantity and unit of drug line(s) %s from the paper "
                                 "before approving."),
                               lines));
    return errorText();
  }
  ws::DecisionInput input;
  input.decision = decision;
  const std::string reason = reasonCode(reason_->GetValue());
  if (!reason.empty()) input.reasons.push_back(reason);
  input.note = fromWx(note_->GetValue());
  input.buyerConfirmedRiskWarning = buyerConfirmed_->GetValue();
  auto d = review_.decide(record_, input);
  if (!d) {
    showError(explain(d.status(), _("The decision was not recorded.")));
    return errorText();
  }
  showError(wxEmptyString);
  return wxEmptyString;
}

wxString ReviewDialog::approve() { return decide(ws::Decision::kApprove); }
wxString ReviewDialog::reject() { return decide(ws::Decision::kReject); }
wxString ReviewDialog::ask() { return decide(ws::Decision::kAsk); }

}  // namespace rx::gui
