#include "consultations_dialog.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/dataview.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/tokenzr.h>

#include "ask.h"
#include "form_layout.h"
#include "workstation/review.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {
const char* const kChannels[] = {"counter", "phone", "online"};

wxString channelLabel(const std::string& channel) {
  if (channel == "phone") return _("phone");
  if (channel == "online") return _("online");
  return _("at the counter");
}
}  // namespace

ConsultationsDialog::ConsultationsDialog(wxWindow* parent, ws::Session& session,
                                         std::optional<std::int64_t> prescription)
    : wxDialog(parent, wxID_ANY, _("Consultations"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session),
      service_(session),
      prescription_(prescription) {
  auto* top = new wxBoxSizer(wxHORIZONTAL);
  top->Add(buildFindColumn(), 1, wxEXPAND | wxALL, 10);
  top->Add(buildNewColumn(), 0, wxEXPAND | wxTOP | wxRIGHT | wxBOTTOM, 10);
  bindClose();
  SetSizerAndFit(top);
  find(wxEmptyString);
  CentreOnParent();
}

// Left: find earlier consultations.
wxSizer* ConsultationsDialog::buildFindColumn() {
  auto* left = new wxBoxSizer(wxVERTICAL);
  auto* findRow = new wxBoxSizer(wxHORIZONTAL);
  search_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                           wxTE_PROCESS_ENTER);
  search_->SetHint(_("Words, a patient or a drug"));
  auto* findButton = new wxButton(this, wxID_ANY, _("&Find"));
  findRow->Add(search_, 1, wxRIGHT, 6);
  findRow->Add(findButton, 0);
  left->Add(findRow, 0, wxEXPAND | wxBOTTOM, 6);
  list_ = makeList(this, 520, 220, {{_("When"), 130}, {_("Patient"), 90}, {_("Question"), 290}});
  left->Add(list_, 1, wxEXPAND | wxBOTTOM, 6);
  detail_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition,
                           FromDIP(wxSize(520, 180)), wxTE_MULTILINE | wxTE_READONLY);
  left->Add(detail_, 1, wxEXPAND);

  findButton->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { find(search_->GetValue()); });
  search_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { find(search_->GetValue()); });
  list_->Bind(wxEVT_DATAVIEW_SELECTION_CHANGED, [this](wxDataViewEvent&) { showSelected(); });
  return left;
}

// Right: record a new one.
wxSizer* ConsultationsDialog::buildNewColumn() {
  auto* right = new wxBoxSizer(wxVERTICAL);
  right->Add(
      makeHeading(this,
                  prescription_ ? wxString::Format(_("New consultation on prescription %lld"),
                                                   static_cast<long long>(*prescription_))
                                : _("New consultation"),
                  1),
      0, wxBOTTOM, 6);
  right->Add(buildNewForm(), 1, wxEXPAND | wxBOTTOM, 6);
  error_ = makeErrorLine(this);
  right->Add(error_, 0, wxEXPAND | wxBOTTOM, 6);
  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  auto* saveButton = new wxButton(this, wxID_ANY, _("&Save consultation"));
  buttons->Add(saveButton, 0, wxRIGHT, 6);
  buttons->AddStretchSpacer();
  buttons->Add(makeCloseButton(this, [this] { return mayClose(); }), 0);
  right->Add(buttons, 0, wxEXPAND);
  saveButton->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save(); });
  return right;
}

wxSizer* ConsultationsDialog::buildNewForm() {
  auto* grid = new wxFlexGridSizer(2, FromDIP(4), FromDIP(8));
  grid->AddGrowableCol(1, 1);
  wxArrayString channels;
  for (const char* c : kChannels) channels.Add(channelLabel(c));
  channel_ = new wxChoice(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, channels);
  channel_->SetSelection(0);
  patient_ = new wxTextCtrl(this, wxID_ANY);
  patient_->SetHint(_("Empty: anonymous"));
  question_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition,
                             FromDIP(wxSize(320, 70)), wxTE_MULTILINE);
  advice_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition,
                           FromDIP(wxSize(320, 90)), wxTE_MULTILINE);
  drugs_ = new wxTextCtrl(this, wxID_ANY);
  drugs_->SetHint(_("Drugs discussed, separated by commas"));
  minutes_ = new wxSpinCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                            wxSP_ARROW_KEYS, 0, 600, 5);
  // Labels at the top: the question and advice fields are several lines high.
  addLabelledRows(grid, this,
                  {{_("Channel"), channel_},
                   {_("Patient"), patient_},
                   {_("Question"), question_},
                   {_("Advice given"), advice_},
                   {_("Drugs"), drugs_},
                   {_("Minutes"), minutes_}},
                  wxALIGN_TOP | wxTOP, 4);
  return grid;
}

void ConsultationsDialog::bindClose() {
  // The window's own close box too: typed text is not lost without asking.
  Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& event) {
    if (event.CanVeto() && !mayClose()) {
      event.Veto();
      return;
    }
    // Closed here rather than by the default handler, which presses the Close button again.
    if (IsModal())
      EndModal(wxID_CLOSE);
    else
      Hide();
  });
}

void ConsultationsDialog::setNew(const wxString& patient, const wxString& question,
                                 const wxString& advice, const wxString& drugs, int minutes) {
  patient_->SetValue(patient);
  question_->SetValue(question);
  advice_->SetValue(advice);
  drugs_->SetValue(drugs);
  minutes_->SetValue(minutes);
}

bool ConsultationsDialog::unsaved() const {
  for (const wxTextCtrl* typed : {patient_, question_, advice_, drugs_})
    if (!typed->GetValue().Strip(wxString::both).empty()) return true;
  return false;
}

bool ConsultationsDialog::mayClose() {
  return !unsaved() ||
         askYesNo(this, _("Discard the consultation you typed? It has not been saved."),
                  _("Consultations"));
}

wxString ConsultationsDialog::save() {
  ws::NewConsultation c;
  c.channel = kChannels[std::max(0, channel_->GetSelection())];
  const std::string patient = fromWx(patient_->GetValue().Strip(wxString::both));
  if (!patient.empty()) c.patientName = patient;
  c.prescriptionId = prescription_;
  c.question = fromWx(question_->GetValue());
  c.advice = fromWx(advice_->GetValue());
  wxStringTokenizer words(drugs_->GetValue(), wxString::FromUTF8(",，、"));
  while (words.HasMoreTokens()) {
    const wxString d = words.GetNextToken().Strip(wxString::both);
    if (!d.empty()) c.drugs.push_back(fromWx(d));
  }
  c.minutes = minutes_->GetValue();
  auto id = service_.record(c);
  if (!id) {
    showErrorLine(error_, explain(id.status(), _("The consultation was not saved.")), 320);
    return errorText();  // as shown, wrapped
  }
  error_->SetLabel(wxEmptyString);
  setNew(wxEmptyString, wxEmptyString, wxEmptyString, wxEmptyString, 5);
  find(search_->GetValue());
  return wxEmptyString;
}

int ConsultationsDialog::find(const wxString& words) {
  data::ConsultationQuery q;
  q.text = fromWx(words.Strip(wxString::both));
  auto found = service_.search(q);
  list_->DeleteAllItems();
  detail_->Clear();
  found_.clear();
  if (!found) {
    error_->SetLabel(explain(found.status()));
    return 0;
  }
  found_ = std::move(*found);
  for (const auto& c : found_) {
    wxVector<wxVariant> row;
    row.push_back(beijingTime(c.at));
    row.push_back(c.patientName ? toWx(ws::maskedName(*c.patientName)) : _("anonymous"));
    wxString question = toWx(c.question);
    question.Replace("\n", " ");
    row.push_back(question);
    list_->AppendItem(row);
  }
  return static_cast<int>(found_.size());
}

void ConsultationsDialog::showSelected() {
  const int row = list_->GetSelectedRow();
  if (row < 0 || row >= static_cast<int>(found_.size())) return;
  auto c = service_.show(found_[static_cast<std::size_t>(row)].id);  // audited for supervisors
  if (!c) {
    detail_->SetValue(explain(c.status()));
    return;
  }
  wxString text;
  text << beijingTime(c->at) << "  " << channelLabel(c->channel) << "  "
       << wxString::Format(_("%d min"), c->minutes) << "  "
       << toWx(session_.shownName(c->pharmacist)) << "\n";
  if (c->patientName) text << _("Patient:") << " " << toWx(*c->patientName) << "\n";
  if (c->prescriptionId)
    text << wxString::Format(_("Prescription %lld"), static_cast<long long>(*c->prescriptionId))
         << "\n";
  text << "\n" << _("Question:") << "\n" << toWx(c->question) << "\n\n";
  text << _("Advice given:") << "\n" << toWx(c->advice) << "\n";
  if (!c->drugs.empty()) {
    text << "\n" << _("Drugs:");
    for (const auto& d : c->drugs) text << " " << toWx(d);
    text << "\n";
  }
  detail_->SetValue(text);
}

wxString ConsultationsDialog::detailText() const { return detail_->GetValue(); }
wxString ConsultationsDialog::errorText() const { return error_->GetLabel(); }

}  // namespace rx::gui
