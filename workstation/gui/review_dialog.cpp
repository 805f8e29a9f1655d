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
#include "base/utf8.h"
#include "consultations_dialog.h"
#include "page_view.h"
#include "reuse_dialog.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

wxString fieldLabel(const std::string& name) {
  if (name == "hospital") return _("Hospital");
  if (name == "rx_number") return _("Prescription no.");
  if (name == "date") return _("Date");
  if (name == "patient_name") return _("Patient");
  if (name == "sex") return _("Sex");
  if (name == "age") return _("Age");
  if (name == "outpatient_id") return _("Outpatient no.");
  if (name == "department") return _("Department");
  if (name == "diagnosis") return _("Diagnosis");
  if (name == "doctor") return _("Prescriber");
  if (name == "amount") return _("Amount");
  return toWx(name);
}

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

int pageWidth() { return pageWidthOnScreen(200, 300, 560); }
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
    // Another pharmacist has it open, or it was decided meanwhile: said once, nothing to do here.
    top->Add(error_, 0, wxALL, 12);
    showError(
        explain(opened.status(), opened.status().code() == ErrorCode::kConflict
                                     ? _("Another pharmacist has this prescription open, or it was "
                                         "decided meanwhile.")
                                     : wxString()));
    top->Add(makeCloseButton(this), 0, wxALIGN_RIGHT | wxALL, 8);
    SetSizerAndFit(top);
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
  auto* grid = new wxFlexGridSizer(3, FromDIP(4), FromDIP(8));
  grid->AddGrowableCol(1, 1);
  if (rx_.kind == data::RxKind::kPaper) {
    for (ws::FieldName fieldName : ws::kAllFields) {
      const ws::ReadField* f = read_.find(fieldName);
      if (!f) continue;
      const std::string name(ws::fieldKey(fieldName));
      FieldRow row;
      row.original = f->value;
      grid->Add(new wxStaticText(this, wxID_ANY, fieldLabel(name)), 0, wxALIGN_CENTER_VERTICAL);
      row.value = new wxTextCtrl(this, wxID_ANY, toWx(row.original));
      row.value->SetName(name);
      grid->Add(row.value, 1, wxEXPAND);
      if (f->needsConfirmation(lowConfidence_)) {
        row.value->SetBackgroundColour(wxColour(255, 236, 179));
        row.checked = new wxCheckBox(this, wxID_ANY, _("checked"));
        const wxString tip =
            !f->readAs
                ? _("Read with low confidence: compare with the paper, correct it "
                    "if needed, then tick")
                : wxString::Format(_("Read as %s: a character that is often misread was put "
                                     "back. Compare with the paper, correct it if needed, then "
                                     "tick"),
                                   toWx(*f->readAs));
        row.checked->SetToolTip(tip);
        row.value->SetToolTip(tip);
        grid->Add(row.checked, 0, wxALIGN_CENTER_VERTICAL);
      } else {
        grid->AddSpacer(0);
      }
      fields_[name] = row;
    }
  }
  grid->Add(new wxStaticText(this, wxID_ANY, _("Buyer's ID no. (实名制)")), 0,
            wxALIGN_CENTER_VERTICAL);
  patientId_ = new wxTextCtrl(this, wxID_ANY, toWx(rx_.patientIdNo.value_or("")));
  grid->Add(patientId_, 1, wxEXPAND);
  grid->AddSpacer(0);
  side->Add(grid, 0, wxEXPAND | wxBOTTOM, 8);

  side->Add(makeHeading(this, _("Checks"), 1), 0, wxBOTTOM, 4);
  checks_ = new wxDataViewListCtrl(this, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(460, 150)),
                                   wxDV_ROW_LINES | wxDV_NO_HEADER);
  checks_->AppendTextColumn(wxEmptyString, wxDATAVIEW_CELL_INERT, FromDIP(90));
  // Coloured by severity: what blocks is red, what needs a look is orange.
  static_cast<wxDataViewTextRenderer*>(checks_->GetColumn(0)->GetRenderer())->EnableMarkup();
  checks_->AppendTextColumn(_("Check"), wxDATAVIEW_CELL_INERT, FromDIP(380));
  side->Add(checks_, 1, wxEXPAND | wxBOTTOM, 8);

  buyerConfirmed_ = new wxCheckBox(
      this, wxID_ANY, wxString::Format(_("The buyer confirmed: %s"), toWx(ws::kRiskWarning)));
  side->Add(buyerConfirmed_, 0, wxBOTTOM, 8);
  auto* reasonRow = new wxBoxSizer(wxHORIZONTAL);
  reasonRow->Add(new wxStaticText(this, wxID_ANY, _("Reason:")), 0,
                 wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
  wxArrayString reasons;
  for (const char* code : {"incomplete", "expired", "dosage", "interaction", "contraindication",
                           "not-in-scope", "reuse", "signature", "other"})
    reasons.Add(code);
  reason_ =
      new wxComboBox(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize, reasons);
  reasonRow->Add(reason_, 1);
  side->Add(reasonRow, 0, wxEXPAND | wxBOTTOM, 4);
  note_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition, FromDIP(wxSize(-1, 48)),
                         wxTE_MULTILINE);
  note_->SetHint(_("Note kept with the decision"));
  side->Add(note_, 0, wxEXPAND | wxBOTTOM, 6);
  side->Add(error_, 0, wxEXPAND | wxBOTTOM, 6);

  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  auto* reuseButton = new wxButton(this, wxID_ANY, _("Presented &before…"));
  auto* consult = new wxButton(this, wxID_ANY, _("Consul&tation…"));
  consult->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    ConsultationsDialog dialog(this, session_, record_);
    dialog.ShowModal();
  });
  approve_ = new wxButton(this, wxID_ANY, _("&Approve"));
  auto* reject = new wxButton(this, wxID_ANY, _("Re&ject"));
  auto* ask = new wxButton(this, wxID_ANY, _("As&k for information"));
  wxButton* close = makeCloseButton(this);
  for (wxButton* b : {reuseButton, consult, approve_, reject, ask}) buttons->Add(b, 0, wxRIGHT, 6);
  buttons->AddStretchSpacer();
  buttons->Add(close, 0);
  side->Add(buttons, 0, wxEXPAND);
  reuseButton->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    ReuseDialog dialog(this, review_.reuse(), session_, record_);
    dialog.ShowModal();
    refreshChecks();
  });
  approve_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    if (approve().empty()) EndModal(wxID_OK);
  });
  reject->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    if (this->reject().empty()) EndModal(wxID_OK);
  });
  ask->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    if (this->ask().empty()) EndModal(wxID_OK);
  });

  body->Add(side, 1, wxEXPAND | wxALL, 10);
  top->Add(body, 1, wxEXPAND);
  SetSizerAndFit(top);
  refreshChecks();
  CentreOnParent();
}

void ReviewDialog::buildPage(wxWindow* parent, wxSizer* into) {
  std::vector<PageBox> boxes;
  for (const auto& [name, f] : read_.fields)
    if (!f.box.empty())
      boxes.push_back(
          {f.box.x, f.box.y, f.box.width, f.box.height, f.needsConfirmation(lowConfidence_)});
  auto page = review_.reuse().page(record_);
  const int width = FromDIP(pageWidth());
  pageView_ = new PageView(parent, page ? *page : cv::Mat(), std::move(boxes),
                           wxSize(width, width * 1754 / 1240));
  pageView_->SetToolTip(toWx(utf8OrEscaped(rx_.source)) + "\n" +
                        _("Ctrl+wheel or Ctrl++ / Ctrl+- zoom, drag to move, Ctrl+R turns, "
                          "Ctrl+0 fits"));
  into->Add(pageView_, 0, wxALL, 10);
  // The page's keys work wherever the focus is in this window.
  Bind(wxEVT_CHAR_HOOK, [this](wxKeyEvent& e) {
    if (!pageView_ || !pageView_->handleKey(e)) e.Skip();
  });
}

void ReviewDialog::buildElectronic(wxWindow* parent, wxSizer* into) {
  wxString text;
  text << _("E-prescription") << " " << toWx(rx_.rxNumber.value_or("")) << "\n";
  text << _("Issuer:") << " " << toWx(rx_.issuer.value_or("")) << "\n";
  text << _("Issued:") << " " << toWx(rx_.issuedOn.value_or("")) << "\n";
  text << _("Patient:") << " " << toWx(rx_.patientName.value_or("")) << "\n";
  text << _("Prescriber:") << " " << toWx(rx_.prescriber.value_or("")) << "\n";
  text << _("Diagnosis:") << " " << toWx(rx_.diagnosis.value_or("")) << "\n";
  text << (rx_.verified.value_or(false) ? wxString::Format(_("Signature verified; agreement %s"),
                                                           toWx(rx_.agreementNo.value_or("")))
                                        : _("Signature NOT verified"))
       << "\n\n";
  for (const auto& item : rx_.items)
    text << "• " << toWx(item.drugName) << "  " << toWx(item.spec) << "  × "
         << wxString::Format("%g", item.quantity) << " " << toWx(item.unit) << "\n    "
         << toWx(item.usage) << "\n";
  auto* view = new wxTextCtrl(parent, wxID_ANY, text, wxDefaultPosition, FromDIP(wxSize(420, 480)),
                              wxTE_MULTILINE | wxTE_READONLY);
  into->Add(view, 0, wxEXPAND | wxALL, 10);
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
  return text;
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
  if (values.empty()) return Status::ok();
  RX_RETURN_IF_ERROR(review_.confirmFields(record_, values));
  for (auto& [name, value] : values) {
    auto it = fields_.find(name);
    if (it != fields_.end()) it->second.original = value;
  }
  if (values.count("patient_id_no")) rx_.patientIdNo = values["patient_id_no"];
  return Status::ok();
}

void ReviewDialog::refreshChecks() {
  checks_->DeleteAllItems();
  auto list = review_.checks(record_, beijingToday());
  if (!list) {
    showError(explain(list.status()));
    return;
  }
  // What blocks or needs a look first: the list scrolls on a 1366×768 screen.
  std::stable_sort(list->begin(), list->end(), [](const ws::RuleCheck& a, const ws::RuleCheck& b) {
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
  for (const auto& c : *list) {
    wxVector<wxVariant> row;
    const char* colour = c.severity == ws::Severity::kBlock  ? "#b00020"
                         : c.severity == ws::Severity::kWarn ? "#b35900"
                                                             : "#1b7a2f";
    row.push_back(wxString::Format("<span foreground='%s' weight='bold'>%s</span>", colour,
                                   markupEscaped(severityLabel(c.severity))));
    row.push_back(checkMessage(c));
    checks_->AppendItem(row);
  }
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
  ws::DecisionInput input;
  input.decision = decision;
  const std::string reason = fromWx(reason_->GetValue());
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
