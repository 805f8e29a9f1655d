#include "main_frame.h"

#include <wx/aboutdlg.h>
#include <wx/choice.h>
#include <wx/dataview.h>
#include <wx/intl.h>
#include <wx/menu.h>
#include <wx/panel.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/statusbr.h>

#include "base/time.h"
#include "reuse_dialog.h"
#include "workstation/review.h"
#include "wx_convert.h"

namespace rx::gui {

MainFrame::MainFrame(std::unique_ptr<ws::Session> session)
    : wxFrame(nullptr, wxID_ANY, _("rxdesk — prescription queue")),
      session_(std::move(session)),
      review_(std::make_unique<ws::ReviewService>(*session_)) {
  buildMenu();
  auto* panel = new wxPanel(this);
  auto* top = new wxBoxSizer(wxVERTICAL);

  auto* header = new wxBoxSizer(wxHORIZONTAL);
  auto* title = makeHeading(panel, _("Prescriptions waiting"), 3);
  header->Add(title, 0, wxALIGN_CENTER_VERTICAL);
  header->AddStretchSpacer();
  header->Add(new wxStaticText(panel, wxID_ANY, _("Show:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT,
              6);
  wxArrayString filters;
  filters.Add(_("Waiting and in review"));
  filters.Add(_("Approved, not yet dispensed"));
  filters.Add(_("All of today"));
  filter_ = new wxChoice(panel, wxID_ANY, wxDefaultPosition, wxDefaultSize, filters);
  filter_->SetSelection(0);
  header->Add(filter_, 0, wxALIGN_CENTER_VERTICAL);
  top->Add(header, 0, wxEXPAND | wxALL, 10);

  queue_ = new wxDataViewListCtrl(panel, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                  wxDV_ROW_LINES | wxDV_SINGLE);
  queue_->AppendTextColumn(_("State"), wxDATAVIEW_CELL_INERT, FromDIP(110));
  queue_->AppendTextColumn(_("Arrived"), wxDATAVIEW_CELL_INERT, FromDIP(130));
  queue_->AppendTextColumn(_("Kind"), wxDATAVIEW_CELL_INERT, FromDIP(90));
  queue_->AppendTextColumn(_("Patient"), wxDATAVIEW_CELL_INERT, FromDIP(140));
  queue_->AppendTextColumn(_("Signature"), wxDATAVIEW_CELL_INERT, FromDIP(100));
  queue_->AppendTextColumn(_("Reuse"), wxDATAVIEW_CELL_INERT, FromDIP(100));
  queue_->AppendTextColumn(_("Checks"), wxDATAVIEW_CELL_INERT, FromDIP(160));
  top->Add(queue_, 1, wxEXPAND | wxLEFT | wxRIGHT, 10);
  queue_->Bind(wxEVT_DATAVIEW_ITEM_ACTIVATED, [this](wxDataViewEvent& e) {
    const int row = queue_->ItemToRow(e.GetItem());
    if (row >= 0 && row < static_cast<int>(rows_.size())) showReuse(rows_[row]);
  });

  emptyNote_ = new wxStaticText(
      panel, wxID_ANY, _("No prescriptions are waiting. Prescriptions you take in appear here."));
  emptyNote_->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
  top->Add(emptyNote_, 0, wxALL, 10);
  panel->SetSizer(top);

  CreateStatusBar(2);
  const int widths[] = {-1, -2};
  GetStatusBar()->SetStatusWidths(2, widths);
  const auto& u = session_->user();
  SetStatusText(wxString::Format(_("%s (%s)"), toWx(u.displayName),
                                 roleLabel(std::string(data::roleName(u.role)))),
                0);
  SetStatusText(wxString::Format(_("Store: %s"), toWx(session_->store().path())), 1);

  SetSize(FromDIP(wxSize(1100, 680)));
  SetMinSize(FromDIP(wxSize(800, 500)));
  CentreOnScreen();
  refreshQueue();
}

void MainFrame::buildMenu() {
  auto* file = new wxMenu;
  file->Append(wxID_EXIT, _("&Quit\tCtrl+Q"));
  auto* help = new wxMenu;
  help->Append(wxID_ABOUT, _("&About rxdesk"));
  auto* bar = new wxMenuBar;
  bar->Append(file, _("&File"));
  bar->Append(help, _("&Help"));
  SetMenuBar(bar);
  Bind(
      wxEVT_MENU, [this](wxCommandEvent&) { Close(); }, wxID_EXIT);
  Bind(wxEVT_MENU, &MainFrame::onAbout, this, wxID_ABOUT);
}

void MainFrame::onAbout(wxCommandEvent&) {
  wxAboutDialogInfo info;
  info.SetName("rxdesk");
  info.SetDescription(
      _("Offline verification, review and dispensing of prescriptions for licensed pharmacists."));
  auto summary = session_->summary();
  if (summary) info.SetVersion(wxString::Format("SQLCipher %s", toWx(summary->cipherVersion)));
  wxAboutBox(info, this);
}

namespace {
wxString stateLabel(data::RxState s) {
  switch (s) {
    case data::RxState::kQueued:
      return _("waiting");
    case data::RxState::kInReview:
      return _("in review");
    case data::RxState::kApproved:
      return _("approved");
    case data::RxState::kRejected:
      return _("rejected");
    case data::RxState::kNeedsInfo:
      return _("needs information");
    case data::RxState::kPartiallyDispensed:
      return _("being dispensed");
    case data::RxState::kDispensed:
      return _("dispensed");
    case data::RxState::kClosed:
      return _("closed");
  }
  return wxEmptyString;
}
}  // namespace

void MainFrame::showReuse(std::int64_t record) {
  ReuseDialog dialog(this, review_->reuse(), *session_, record);
  dialog.ShowModal();
  refreshQueue();
}

void MainFrame::refreshQueue() {
  queue_->DeleteAllItems();
  rows_.clear();
  ws::ReviewService& review = *review_;
  auto list = review.queue();
  if (list) {
    const std::string today = rx::datePart(rx::utcTimestamp());
    for (const auto& r : *list) {
      wxVector<wxVariant> row;
      row.push_back(stateLabel(r.state));
      row.push_back(toWx(r.arrivedAt.substr(0, 16).replace(10, 1, " ")));
      row.push_back(r.kind == "electronic" ? _("electronic") : _("paper"));
      row.push_back(toWx(ws::maskedName(r.patientName.value_or(""))));
      row.push_back(r.kind != "electronic"       ? wxString("—")
                    : r.verified.value_or(false) ? _("verified")
                                                 : _("NOT verified"));
      auto checks = review.checks(r.id, today);
      const ws::CheckSummary summary = checks ? ws::summarizeChecks(*checks) : ws::CheckSummary{};
      auto finding = review.reuse().finding(r.id);
      const bool suspected =
          finding && *finding && (*finding)->verdict == dedup::Verdict::kSuspected;
      const bool overruled = suspected && (*finding)->overruled();
      row.push_back(overruled                         ? _("overruled")
                    : summary.usedBefore && suspected ? _("suspected — double-click")
                    : summary.usedBefore              ? _("used before")
                                                      : _("new"));
      row.push_back(summary.blocking ? wxString::Format(_("%d to resolve"), summary.blocking)
                                     : _("all checks passed"));
      queue_->AppendItem(row);
      rows_.push_back(r.id);
    }
  }
  emptyNote_->Show(queue_->GetItemCount() == 0);
  Layout();
}

}  // namespace rx::gui
