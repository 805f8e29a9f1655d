// ReviewDialog's drug lines (paper): what OCR read, one row a line, editable; a name the catalogue
// does not know is highlighted, as are a quantity and a unit that were not read (approval waits
// until they are filled in); an empty name removes the line, "Add drug line" adds one. The
// changes are saved with the fields, as the keys of workstation/drug_lines.h.
#include <wx/button.h>
#include <wx/intl.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <algorithm>

#include "review_dialog.h"
#include "workstation/drug_lines.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

const wxColour kNotInCatalogue(255, 236, 179);  // as a field to be checked

// As the service takes it (an emptied name removes the line).
std::string trimmed(const wxString& text) { return ws::trimmed(fromWx(text)); }

wxString quantityText(double quantity) { return toWx(ws::quantityText(quantity)); }

}  // namespace

void ReviewDialog::buildDrugLines(wxSizer* side) {
  if (rx_.kind != data::RxKind::kPaper) return;  // an e-prescription's drugs are signed
  if (auto names = review_.catalogueNames())
    for (const auto& n : *names) catalogueNames_.Add(toWx(n));
  auto* heading = new wxBoxSizer(wxHORIZONTAL);
  heading->Add(makeHeading(this, _("Drug lines"), 1), 0, wxALIGN_CENTER_VERTICAL);
  heading->AddStretchSpacer();
  auto* add = new wxButton(this, wxID_ANY, _("Add &drug line"));
  add->SetToolTip(_("A drug on the paper that was not read"));
  add->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { addDrugLine(); });
  heading->Add(add, 0);
  side->Add(heading, 0, wxEXPAND | wxBOTTOM, 4);
  // Scrolls beyond four lines, so that a long prescription does not push the checks off screen.
  drugPanel_ = new wxScrolledWindow(this, wxID_ANY);
  drugPanel_->SetScrollRate(0, FromDIP(10));
  drugGrid_ = new wxFlexGridSizer(5, FromDIP(2), FromDIP(6));
  drugGrid_->AddGrowableCol(1, 3);
  drugGrid_->AddGrowableCol(2, 2);
  drugPanel_->SetSizer(drugGrid_);
  side->Add(drugPanel_, 0, wxEXPAND | wxBOTTOM, 8);
  fillDrugLines();
}

void ReviewDialog::fillDrugLines() {
  drugGrid_->Clear(true);
  drugs_.clear();
  for (const wxString& title : {wxString("#"), _("Drug"), _("Spec"), _("Qty"), _("Unit")})
    drugGrid_->Add(new wxStaticText(drugPanel_, wxID_ANY, title), 0, wxALIGN_BOTTOM);
  for (const auto& item : rx_.items) addDrugRow(item);
  fitDrugLines();
}

void ReviewDialog::fitDrugLines() {
  const int rows = std::min<int>(static_cast<int>(drugs_.size()), 4);
  const int rowHeight = drugs_.empty() ? 0 : drugs_.front().name->GetBestSize().y + FromDIP(2);
  const int header = drugGrid_->GetItem(std::size_t{0})->GetWindow()->GetBestSize().y + FromDIP(2);
  drugPanel_->SetMinSize(wxSize(-1, header + rows * rowHeight + FromDIP(4)));
  drugPanel_->FitInside();
}

void ReviewDialog::addDrugRow(const data::RxItem& item) {
  DrugRow row;
  row.original = item;
  const bool added = item.drugName.empty();
  const bool flagged = !added && item.drugClass.empty();
  drugGrid_->Add(new wxStaticText(drugPanel_, wxID_ANY, wxString::Format("%zu", drugs_.size() + 1)),
                 0, wxALIGN_CENTER_VERTICAL);
  row.name = new wxTextCtrl(drugPanel_, wxID_ANY, toWx(item.drugName));
  row.name->AutoComplete(catalogueNames_);
  row.name->SetToolTip(flagged ? _("Not in the drug catalogue: compare with the paper and correct "
                                   "the name (empty removes the line)")
                               : _("The drug's name as on the paper; empty removes the line"));
  if (flagged) row.name->SetBackgroundColour(kNotInCatalogue);
  row.spec = new wxTextCtrl(drugPanel_, wxID_ANY, toWx(item.spec));
  row.quantity = new wxTextCtrl(drugPanel_, wxID_ANY, quantityText(item.quantity),
                                wxDefaultPosition, FromDIP(wxSize(48, -1)));
  row.unit = new wxTextCtrl(drugPanel_, wxID_ANY, toWx(item.unit), wxDefaultPosition,
                            FromDIP(wxSize(40, -1)));
  if (!added && item.quantity <= 0) row.quantity->SetBackgroundColour(kNotInCatalogue);
  if (!added && item.unit.empty()) row.unit->SetBackgroundColour(kNotInCatalogue);
  if (!added && (item.quantity <= 0 || item.unit.empty())) {
    const wxString tip = _("Not read: fill in the quantity and unit from the paper");
    row.quantity->SetToolTip(tip);
    row.unit->SetToolTip(tip);
  }
  drugGrid_->Add(row.name, 1, wxEXPAND);
  drugGrid_->Add(row.spec, 1, wxEXPAND);
  drugGrid_->Add(row.quantity, 0);
  drugGrid_->Add(row.unit, 0);
  drugs_.push_back(row);
}

void ReviewDialog::addDrugLine() {
  if (!drugGrid_) return;
  addDrugRow({});
  fitDrugLines();
  Layout();
  drugPanel_->Scroll(0, drugPanel_->GetVirtualSize().y);
  drugs_.back().name->SetFocus();
}

wxString ReviewDialog::drugLineName(int line) const {
  return line >= 1 && line <= drugLineCount() ? drugs_[line - 1].name->GetValue() : wxString();
}

bool ReviewDialog::drugLineFlagged(int line) const {
  return line >= 1 && line <= drugLineCount() &&
         drugs_[line - 1].name->GetBackgroundColour() == kNotInCatalogue;
}

bool ReviewDialog::drugLineAmountFlagged(int line) const {
  return line >= 1 && line <= drugLineCount() &&
         (drugs_[line - 1].quantity->GetBackgroundColour() == kNotInCatalogue ||
          drugs_[line - 1].unit->GetBackgroundColour() == kNotInCatalogue);
}

void ReviewDialog::setDrugLine(int line, const wxString& name, const wxString& quantity,
                               const wxString& unit) {
  if (line < 1 || line > drugLineCount()) return;
  drugs_[line - 1].name->SetValue(name);
  if (!quantity.empty()) drugs_[line - 1].quantity->SetValue(quantity);
  if (!unit.empty()) drugs_[line - 1].unit->SetValue(unit);
}

wxString ReviewDialog::linesWithoutAmount() const {
  wxString lines;
  for (std::size_t i = 0; i < drugs_.size(); ++i) {
    const DrugRow& row = drugs_[i];
    if (trimmed(row.name->GetValue()).empty()) continue;  // removed
    double quantity = 0;
    const bool counted = row.quantity->GetValue().Strip(wxString::both).ToCDouble(&quantity);
    if (counted && quantity > 0 && !trimmed(row.unit->GetValue()).empty()) continue;
    lines << (lines.empty() ? "" : ", ") << wxString::Format("%zu", i + 1);
  }
  return lines;
}

std::map<std::string, std::string> ReviewDialog::drugEdits() const {
  std::map<std::string, std::string> values;
  int next = static_cast<int>(rx_.items.size());  // added lines follow the stored ones
  for (std::size_t i = 0; i < drugs_.size(); ++i) {
    const DrugRow& row = drugs_[i];
    const bool added = i >= rx_.items.size();
    const std::string name = trimmed(row.name->GetValue());
    if (added && name.empty()) continue;  // an empty line added and left empty
    const std::string key = "drug" + std::to_string(added ? ++next : static_cast<int>(i + 1));
    if (added || name != row.original.drugName) values[key] = name;
    if (!added && name.empty()) continue;  // removed: nothing else to say
    const std::string spec = trimmed(row.spec->GetValue());
    const std::string quantity = trimmed(row.quantity->GetValue());
    const std::string unit = trimmed(row.unit->GetValue());
    if (spec != row.original.spec) values[key + ".spec"] = spec;
    if (quantity != fromWx(quantityText(row.original.quantity)))
      values[key + ".quantity"] = quantity;
    if (unit != row.original.unit) values[key + ".unit"] = unit;
  }
  return values;
}

}  // namespace rx::gui
