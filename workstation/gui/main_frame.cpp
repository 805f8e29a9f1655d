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

#include "wx_convert.h"

namespace rx::gui {

MainFrame::MainFrame(std::unique_ptr<ws::Session> session)
    : wxFrame(nullptr, wxID_ANY, _("rxdesk — prescription queue")), session_(std::move(session)) {
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

void MainFrame::refreshQueue() {
  queue_->DeleteAllItems();
  emptyNote_->Show(queue_->GetItemCount() == 0);
  Layout();
}

}  // namespace rx::gui
