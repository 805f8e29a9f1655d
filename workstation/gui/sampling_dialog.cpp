#include "sampling_dialog.h"

#include <wx/button.h>
#include <wx/checklst.h>
#include <wx/dataview.h>
#include <wx/intl.h>
#include <wx/radiobox.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <nlohmann/json.hpp>

#include "ask.h"
#include "base/time.h"
#include "form_layout.h"
#include "labels.h"
#include "workstation/drug_lines.h"
#include "workstation/sampling.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

using nlohmann::json;

wxString kindLabel(data::SampleKind kind) {
  return kind == data::SampleKind::kConsultation ? _("consultation") : _("review decision");
}

// How an item is named in the lists: its kind and number.
wxString itemLabel(const data::ItemRecord& item) {
  return kindLabel(item.kind) + wxString::Format(" %lld", static_cast<long long>(item.itemId));
}

wxString scoreLabel(const std::optional<std::string>& score) {
  if (!score) return _("not scored");
  return *score == "appropriate" ? _("appropriate") : _("inappropriate");
}

wxString decisionLabel(const std::string& d) {
  if (d == "approve") return _("approved");
  if (d == "reject") return _("rejected");
  if (d == "ask") return _("asked the prescriber");
  return toWx(d);
}

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The item as the supervisor reads it before scoring.
wxString describeItem(const json& d, ws::Session& session) {
  wxString t;
  if (text(d, "kind") == "consultation") {
    t << wxString::Format(_("Consultation %lld by %s, %s"),
                          static_cast<long long>(d.value("id", std::int64_t{0})),
                          toWx(session.shownName(text(d, "pharmacist"))),
                          beijingTime(text(d, "at")))
      << "\n"
      << _("Patient:") << " "
      << (text(d, "patient").empty() ? _("anonymous") : toWx(text(d, "patient"))) << "\n"
      << _("Question:") << " " << toWx(text(d, "question")) << "\n"
      << _("Advice given:") << " " << toWx(text(d, "advice")) << "\n"
      << _("Drugs:");
    for (const auto& drug : d.value("drugs", json::array()))
      if (drug.is_string()) t << " " << toWx(drug.get<std::string>());
    return t;
  }
  t << wxString::Format(_("Prescription %lld %s, %s by %s, %s"),
                        static_cast<long long>(d.value("prescription", std::int64_t{0})),
                        toWx(text(d, "rx_number")), decisionLabel(text(d, "decision")),
                        toWx(session.shownName(text(d, "decided_by"))),
                        beijingTime(text(d, "decided_at")))
    << "\n"
    << _("Issued by:") << " " << toWx(text(d, "issuer")) << "  " << toWx(text(d, "issued_on"))
    << "  " << toWx(text(d, "prescriber")) << "\n"
    << _("Patient:") << " " << toWx(text(d, "patient")) << "  " << toWx(text(d, "diagnosis"))
    << "\n";
  for (const auto& drug : d.value("drugs", json::array()))
    t << "  " << toWx(text(drug, "name")) << " " << toWx(text(drug, "spec")) << " ×"
      << toWx(ws::quantityText(drug.value("quantity", 0.0))) << toWx(text(drug, "unit")) << "  "
      << toWx(text(drug, "usage")) << "\n";
  const json& s = d.contains("signed") ? d["signed"] : json();
  if (s.is_object()) {
    for (const auto& r : s.value("reasons", json::array()))
      if (r.is_string()) t << _("Reason:") << " " << reasonLabel(r.get<std::string>()) << "\n";
    if (!text(s, "note").empty()) t << _("Note:") << " " << toWx(text(s, "note")) << "\n";
  }
  return t;
}

}  // namespace

SamplingDialog::SamplingDialog(wxWindow* parent, ws::Session& session)
    : wxDialog(parent, wxID_ANY, _("Audit sampling (处方点评)"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  const bool supervisor = session.user().role == data::Role::kSupervisor;
  if (!supervisor) {
    buildFindings(top);
    loadFindings();  // before the window is fitted: it is sized to what the findings say
  } else {
    auto* columns = new wxBoxSizer(wxHORIZONTAL);
    columns->Add(buildRoundsColumn(), 0, wxEXPAND | wxALL, FromDIP(10));
    columns->Add(buildScoringColumn(), 1, wxEXPAND | wxTOP | wxRIGHT | wxBOTTOM, FromDIP(10));
    top->Add(columns, 1, wxEXPAND);
    error_ = makeErrorLine(this);
    top->Add(error_, 0, wxEXPAND | wxLEFT | wxRIGHT, FromDIP(10));
  }
  top->Add(makeCloseButton(this), 0, wxALIGN_RIGHT | wxALL, FromDIP(10));
  SetSizerAndFit(top);
  if (supervisor) {
    loadRounds();
    if (roundRows() > 0) selectRound(0);
  }
  CentreOnParent();
}

// A pharmacist's own findings from closed rounds.
void SamplingDialog::buildFindings(wxSizer* top) {
  top->Add(makeHeading(this, _("Findings about your work"), 1), 0, wxALL, FromDIP(10));
  findings_ = makeList(
      this, 720, 300,
      {{_("Round"), 60}, {_("Item"), 160}, {_("Score"), 110}, {_("Reasons and comment"), 380}});
  top->Add(findings_, 1, wxEXPAND | wxLEFT | wxRIGHT, FromDIP(10));
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  top->Add(error_, 0, wxEXPAND | wxALL, FromDIP(10));
}

void SamplingDialog::loadFindings() {
  auto mine = ws::SamplingService(session_).myFindings();
  if (!mine) {
    fail(mine.status());
    return;
  }
  for (const auto& i : *mine) {
    wxString why;
    for (const std::string& r : i.reasons) why << criterionLabel(r) << _("; ");
    if (i.comment) why << toWx(*i.comment);
    wxVector<wxVariant> row;
    row.push_back(wxString::Format("%lld", static_cast<long long>(i.roundId)));
    row.push_back(itemLabel(i));
    row.push_back(scoreLabel(i.score));
    row.push_back(why);
    findings_->AppendItem(row);
  }
  fitColumnsToText(findings_);
  if (mine->empty()) error_->SetLabel(_("No closed audit round has sampled your work yet."));
}

// The rounds and a form for a new one.
wxSizer* SamplingDialog::buildRoundsColumn() {
  auto* left = new wxBoxSizer(wxVERTICAL);
  left->Add(makeHeading(this, _("Rounds"), 1), 0, wxBOTTOM, FromDIP(6));
  rounds_ = makeList(this, 400, 200, {{_("Round"), 60}, {_("Period"), 190}, {_("State"), 140}});
  left->Add(rounds_, 1, wxEXPAND | wxBOTTOM, FromDIP(8));
  left->Add(makeHeading(this, _("New round"), 0), 0, wxBOTTOM, FromDIP(4));
  auto* form = new wxFlexGridSizer(2, FromDIP(4), FromDIP(8));
  form->AddGrowableCol(1, 1);
  const std::string today = beijingToday();
  from_ = new wxTextCtrl(this, wxID_ANY, toWx(today.substr(0, 8) + "01"));
  to_ = new wxTextCtrl(this, wxID_ANY, toWx(today));
  percent_ = new wxSpinCtrlDouble(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                                  wxSP_ARROW_KEYS, 0.5, 100, 5, 0.5);
  addLabelledRows(
      form, this,
      {{_("From (YYYY-MM-DD)"), from_}, {_("To (YYYY-MM-DD)"), to_}, {_("Sample %"), percent_}});
  left->Add(form, 0, wxEXPAND | wxBOTTOM, FromDIP(6));
  auto* draw = new wxButton(this, wxID_ANY, _("&Draw the sample"));
  left->Add(draw, 0, wxBOTTOM, FromDIP(6));

  draw->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    createRound(from_->GetValue(), to_->GetValue(), percent_->GetValue());
  });
  rounds_->Bind(wxEVT_DATAVIEW_SELECTION_CHANGED,
                [this](wxDataViewEvent&) { selectRound(rounds_->GetSelectedRow()); });
  return left;
}

// The selected round's items and the scoring.
wxSizer* SamplingDialog::buildScoringColumn() {
  auto* right = new wxBoxSizer(wxVERTICAL);
  state_ = new wxStaticText(this, wxID_ANY, _("Choose a round."));
  right->Add(state_, 0, wxBOTTOM, FromDIP(6));
  items_ = makeList(this, 460, 150, {{_("Item"), 140}, {_("Pharmacist"), 160}, {_("Score"), 140}});
  right->Add(items_, 1, wxEXPAND | wxBOTTOM, FromDIP(6));
  detail_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition,
                           FromDIP(wxSize(460, 130)), wxTE_MULTILINE | wxTE_READONLY);
  right->Add(detail_, 1, wxEXPAND | wxBOTTOM, FromDIP(6));
  wxArrayString verdicts;
  verdicts.Add(_("Appropriate"));
  verdicts.Add(_("Inappropriate"));
  verdict_ = new wxRadioBox(this, wxID_ANY, _("Score"), wxDefaultPosition, wxDefaultSize, verdicts,
                            2, wxRA_SPECIFY_COLS);
  right->Add(verdict_, 0, wxEXPAND | wxBOTTOM, FromDIP(4));
  // Tall enough for every standard reason, so none is scrolled out of sight: sized with them in
  // it, before the window is fitted (a round's own reasons replace them when it is chosen).
  reasons_ = new wxCheckListBox(this, wxID_ANY);
  for (const auto& c : ws::defaultAuditCriteria()) reasons_->Append(criterionLabel(c));
  reasons_->SetMinSize(wxSize(FromDIP(460), reasons_->GetBestSize().y));
  reasons_->Clear();
  right->Add(reasons_, 0, wxEXPAND | wxBOTTOM, FromDIP(4));
  comment_ = new wxTextCtrl(this, wxID_ANY);
  comment_->SetHint(_("Comment for the pharmacist"));
  right->Add(comment_, 0, wxEXPAND | wxBOTTOM, FromDIP(6));
  right->Add(buildScoringButtons(), 0, wxBOTTOM, FromDIP(6));
  items_->Bind(wxEVT_DATAVIEW_SELECTION_CHANGED,
               [this](wxDataViewEvent&) { selectItem(items_->GetSelectedRow()); });
  return right;
}

wxSizer* SamplingDialog::buildScoringButtons() {
  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  auto* save = new wxButton(this, wxID_ANY, _("&Save score"));
  auto* close = new wxButton(this, wxID_ANY, _("Close the round, si&gned"));
  buttons->Add(save, 0, wxRIGHT, FromDIP(6));
  buttons->Add(close, 0);
  save->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    std::vector<int> checked;
    for (unsigned i = 0; i < reasons_->GetCount(); ++i)
      if (reasons_->IsChecked(i)) checked.push_back(static_cast<int>(i));
    scoreItem(verdict_->GetSelection() == 0, checked, comment_->GetValue());
  });
  close->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { closeRoundAsked(); });
  return buttons;
}

wxString SamplingDialog::fail(const Status& status) {
  return showErrorLine(error_, explain(status), 860);
}

wxString SamplingDialog::errorText() const { return error_->GetLabel(); }
int SamplingDialog::roundRows() const { return rounds_ ? rounds_->GetItemCount() : 0; }
int SamplingDialog::itemRows() const { return items_ ? items_->GetItemCount() : 0; }
int SamplingDialog::findingRows() const { return findings_ ? findings_->GetItemCount() : 0; }
wxString SamplingDialog::itemText() const { return detail_ ? detail_->GetValue() : wxString(); }
wxString SamplingDialog::roundState() const { return state_ ? state_->GetLabel() : wxString(); }

void SamplingDialog::loadRounds() {
  const int selected = rounds_->GetSelectedRow();
  rounds_->DeleteAllItems();
  auto list = ws::SamplingService(session_).rounds();
  if (!list) {
    fail(list.status());
    return;
  }
  roundList_ = std::move(*list);
  ws::SamplingService service(session_);
  for (const auto& r : roundList_) {
    wxString state;
    if (r.closedAt) {
      state = _("closed, signed");
    } else {
      auto items = service.items(r.id);
      const auto scored = items ? std::count_if(items->begin(), items->end(),
                                                [](const auto& i) { return i.score.has_value(); })
                                : 0;
      state = wxString::Format(_("open, %lld of %zu scored"), static_cast<long long>(scored),
                               items ? items->size() : std::size_t{0});
    }
    wxVector<wxVariant> row;
    row.push_back(wxString::Format("%lld", static_cast<long long>(r.id)));
    row.push_back(toWx(r.periodFrom + " – " + r.periodTo));
    row.push_back(state);
    rounds_->AppendItem(row);
  }
  fitColumnsToText(rounds_);
  if (selected != wxNOT_FOUND && selected < roundRows())
    rounds_->SelectRow(static_cast<unsigned>(selected));
}

wxString SamplingDialog::createRound(const wxString& from, const wxString& to, double percent) {
  ws::RoundSpec spec;
  spec.from = fromWx(from.Strip(wxString::both));
  spec.to = fromWx(to.Strip(wxString::both));
  spec.percent = percent;
  auto round = ws::SamplingService(session_).create(spec);
  if (!round) return fail(round.status());
  loadRounds();
  selectRound(0);  // newest first
  return fail(Status::ok());
}

bool SamplingDialog::allReasonsShown() const {
  return reasons_ && reasons_->GetCount() > 0 &&
         reasons_->GetCountPerPage() >= static_cast<int>(reasons_->GetCount());
}

void SamplingDialog::selectRound(int row) {
  items_->DeleteAllItems();
  itemList_.clear();
  detail_->Clear();
  reasons_->Clear();
  criteria_.clear();
  if (row < 0 || row >= roundRows()) return;
  if (rounds_->GetSelectedRow() != row) rounds_->SelectRow(static_cast<unsigned>(row));
  const data::RoundRecord& r = roundList_.at(static_cast<std::size_t>(row));
  criteria_ = r.criteria;
  for (const auto& c : criteria_) reasons_->Append(criterionLabel(c));
  loadItems();
}

void SamplingDialog::loadItems() {
  const int row = rounds_->GetSelectedRow();
  if (row == wxNOT_FOUND) return;
  const data::RoundRecord& r = roundList_.at(static_cast<std::size_t>(row));
  const int selected = items_->GetSelectedRow();
  items_->DeleteAllItems();
  auto items = ws::SamplingService(session_).items(r.id);
  if (!items) {
    fail(items.status());
    return;
  }
  itemList_ = std::move(*items);
  std::size_t scored = 0;
  for (const auto& i : itemList_) {
    wxVector<wxVariant> line;
    line.push_back(itemLabel(i));
    line.push_back(toWx(session_.shownName(i.pharmacist)));
    line.push_back(scoreLabel(i.score));
    items_->AppendItem(line);
    scored += i.score ? 1 : 0;
  }
  fitColumnsToText(items_);
  state_->SetLabel(r.closedAt ? wxString::Format(_("Round %lld, %s – %s: closed and signed %s."),
                                                 static_cast<long long>(r.id), toWx(r.periodFrom),
                                                 toWx(r.periodTo), beijingTime(*r.closedAt))
                              : wxString::Format(_("Round %lld, %s – %s: %zu of %zu scored."),
                                                 static_cast<long long>(r.id), toWx(r.periodFrom),
                                                 toWx(r.periodTo), scored, itemList_.size()));
  if (itemList_.empty() && !r.closedAt)
    state_->SetLabel(state_->GetLabel() + " " + _("Nothing was done in this period."));
  if (selected != wxNOT_FOUND && selected < itemRows())
    items_->SelectRow(static_cast<unsigned>(selected));
}

void SamplingDialog::selectItem(int row) {
  detail_->Clear();
  if (row < 0 || row >= itemRows()) return;
  if (items_->GetSelectedRow() != row) items_->SelectRow(static_cast<unsigned>(row));
  const data::ItemRecord& i = itemList_.at(static_cast<std::size_t>(row));
  auto d = ws::SamplingService(session_).describe(i.roundId, i.kind, i.itemId);
  if (!d) {
    fail(d.status());
    return;
  }
  detail_->SetValue(describeItem(*d, session_));
  verdict_->SetSelection(i.score && *i.score == "inappropriate" ? 1 : 0);
  for (unsigned k = 0; k < reasons_->GetCount(); ++k)
    reasons_->Check(k,
                    std::find(i.reasons.begin(), i.reasons.end(), criteria_[k]) != i.reasons.end());
  comment_->SetValue(toWx(i.comment.value_or("")));
}

wxString SamplingDialog::scoreItem(bool appropriate, const std::vector<int>& reasons,
                                   const wxString& comment) {
  const int row = items_->GetSelectedRow();
  if (row == wxNOT_FOUND)
    return fail(Status(ErrorCode::kInvalidArgument, "choose an item of the round first"));
  const data::ItemRecord item = itemList_.at(static_cast<std::size_t>(row));
  std::vector<std::string> chosen;
  for (int k : reasons)
    if (k >= 0 && static_cast<std::size_t>(k) < criteria_.size())
      chosen.push_back(criteria_[static_cast<std::size_t>(k)]);
  if (Status st = ws::SamplingService(session_).score(item.roundId, item.kind, item.itemId,
                                                      appropriate, chosen, fromWx(comment));
      !st.isOk())
    return fail(st);
  loadItems();
  loadRounds();
  // On to the next item not yet scored.
  for (int next = 0; next < itemRows(); ++next)
    if (!itemList_[static_cast<std::size_t>(next)].score) {
      selectItem(next);
      break;
    }
  return fail(Status::ok());
}

wxString SamplingDialog::closeRoundAsked() {
  const int row = rounds_->GetSelectedRow();
  if (row == wxNOT_FOUND) return closeRound();
  const auto& round = roundList_.at(static_cast<std::size_t>(row));
  if (!askYesNo(this,
                wxString::Format(_("Close round %lld and sign it? Its scores can no longer be "
                                   "changed."),
                                 static_cast<long long>(round.id)),
                _("Audit sampling (处方点评)")))
    return wxString();
  return closeRound();
}

wxString SamplingDialog::closeRound() {
  const int row = rounds_->GetSelectedRow();
  if (row == wxNOT_FOUND) return fail(Status(ErrorCode::kInvalidArgument, "choose a round first"));
  auto closed =
      ws::SamplingService(session_).close(roundList_.at(static_cast<std::size_t>(row)).id);
  if (!closed) return fail(closed.status());
  loadRounds();
  selectRound(row);
  return fail(Status::ok());
}

}  // namespace rx::gui
