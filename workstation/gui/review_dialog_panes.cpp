// ReviewDialog's panes: the page or e-prescription, the fields, the checks, the decision and
// buttons.
#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/combobox.h>
#include <wx/dataview.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include "base/utf8.h"
#include "consultations_dialog.h"
#include "labels.h"
#include "page_view.h"
#include "reuse_dialog.h"
#include "review_dialog.h"
#include "rx_summary.h"
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

int reviewPageWidth() { return pageWidthOnScreen(200, 300, 560); }
}  // namespace

void ReviewDialog::buildPage(wxWindow* parent, wxSizer* into) {
  std::vector<PageBox> boxes;
  for (const auto& [name, f] : read_.fields)
    if (!f.box.empty())
      boxes.push_back(
          {f.box.x, f.box.y, f.box.width, f.box.height, f.needsConfirmation(lowConfidence_)});
  // The drugs' names too: orange when not in the catalogue or read with low confidence.
  for (const auto& d : read_.drugBoxes)
    boxes.push_back({d.box.x, d.box.y, d.box.width, d.box.height,
                     !d.inCatalogue || d.confidence < lowConfidence_});
  auto page = review_.reuse().page(record_);
  const int width = FromDIP(reviewPageWidth());
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
  const wxString text = electronicSummary(rx_);
  auto* view = new wxTextCtrl(parent, wxID_ANY, text, wxDefaultPosition, FromDIP(wxSize(420, 480)),
                              wxTE_MULTILINE | wxTE_READONLY);
  into->Add(view, 0, wxEXPAND | wxALL, 10);
}

void ReviewDialog::buildFields(wxSizer* side) {
  // Two fields a row (label, value, tick), so that the drug lines and the checks fit a 768-pixel
  // screen under them.
  auto* grid = new wxFlexGridSizer(6, FromDIP(4), FromDIP(8));
  grid->AddGrowableCol(1, 1);
  grid->AddGrowableCol(4, 1);
  if (rx_.kind == data::RxKind::kPaper) {
    for (ws::FieldName fieldName : ws::kAllFields)
      if (const ws::ReadField* f = read_.find(fieldName))
        addFieldRow(grid, std::string(ws::fieldKey(fieldName)), *f);
  }
  side->Add(grid, 0, wxEXPAND | wxBOTTOM, 4);
  auto* idRow = new wxBoxSizer(wxHORIZONTAL);
  idRow->Add(new wxStaticText(this, wxID_ANY, _("Buyer's ID no. (实名制)")), 0,
             wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(8));
  patientId_ = new wxTextCtrl(this, wxID_ANY, toWx(rx_.patientIdNo.value_or("")));
  idRow->Add(patientId_, 1, wxEXPAND);
  side->Add(idRow, 0, wxEXPAND | wxBOTTOM, 8);
}

void ReviewDialog::addFieldRow(wxFlexGridSizer* grid, const std::string& name,
                               const ws::ReadField& read) {
  FieldRow row;
  row.original = read.value;
  grid->Add(new wxStaticText(this, wxID_ANY, fieldLabel(name)), 0, wxALIGN_CENTER_VERTICAL);
  row.value = new wxTextCtrl(this, wxID_ANY, toWx(row.original));
  row.value->SetName(name);
  grid->Add(row.value, 1, wxEXPAND);
  if (read.needsConfirmation(lowConfidence_)) {
    row.value->SetBackgroundColour(wxColour(255, 236, 179));
    row.checked = new wxCheckBox(this, wxID_ANY, _("checked"));
    const wxString tip =
        !read.readAs
            ? _("Read with low confidence: compare with the paper, correct it "
                "if needed, then tick")
            : wxString::Format(_("Read as %s: a character that is often misread was put "
                                 "back. Compare with the paper, correct it if needed, then "
                                 "tick"),
                               toWx(*read.readAs));
    row.checked->SetToolTip(tip);
    row.value->SetToolTip(tip);
    grid->Add(row.checked, 0, wxALIGN_CENTER_VERTICAL);
  } else {
    grid->AddSpacer(0);
  }
  fields_[name] = row;
}

void ReviewDialog::buildChecks(wxSizer* side) {
  side->Add(makeHeading(this, _("Checks"), 1), 0, wxBOTTOM, 4);
  checks_ = new wxDataViewListCtrl(this, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(460, 150)),
                                   wxDV_ROW_LINES | wxDV_NO_HEADER);
  checks_->AppendTextColumn(wxEmptyString, wxDATAVIEW_CELL_INERT, FromDIP(90));
  // Coloured by severity: what blocks is red, what needs a look is orange.
  static_cast<wxDataViewTextRenderer*>(checks_->GetColumn(0)->GetRenderer())->EnableMarkup();
  checks_->AppendTextColumn(_("Check"), wxDATAVIEW_CELL_INERT, FromDIP(380));
  side->Add(checks_, 1, wxEXPAND | wxBOTTOM, 4);
  // The checks passed take one wrapped line under the list, so what blocks or needs a look is
  // never scrolled away on a 1366×768 screen.
  passed_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  passed_->SetForegroundColour(wxColour(0x1b, 0x7a, 0x2f));
  side->Add(passed_, 0, wxEXPAND | wxBOTTOM, 8);
}

void ReviewDialog::buildDecisionInputs(wxSizer* side) {
  buyerConfirmed_ = new wxCheckBox(
      this, wxID_ANY, wxString::Format(_("The buyer confirmed: %s"), toWx(ws::kRiskWarning)));
  side->Add(buyerConfirmed_, 0, wxBOTTOM, 8);
  auto* reasonRow = new wxBoxSizer(wxHORIZONTAL);
  reasonRow->Add(new wxStaticText(this, wxID_ANY, _("Reason:")), 0,
                 wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
  wxArrayString reasons;
  for (const auto& code : ws::reasonCodes()) reasons.Add(reasonLabel(code));
  reason_ =
      new wxComboBox(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize, reasons);
  reasonRow->Add(reason_, 1);
  side->Add(reasonRow, 0, wxEXPAND | wxBOTTOM, 4);
  note_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition, FromDIP(wxSize(-1, 48)),
                         wxTE_MULTILINE);
  note_->SetHint(_("Note kept with the decision"));
  side->Add(note_, 0, wxEXPAND | wxBOTTOM, 6);
  side->Add(error_, 0, wxEXPAND | wxBOTTOM, 6);
}

void ReviewDialog::buildButtons(wxSizer* side) {
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
}

}  // namespace rx::gui
