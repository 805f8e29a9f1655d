#include "progress_row.h"

#include <wx/button.h>
#include <wx/gauge.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include <algorithm>
#include <utility>

namespace rx::gui {

ProgressRow::ProgressRow(wxWindow* parent, const wxString& cancelLabel,
                         std::function<void()> cancel)
    : wxPanel(parent) {
  auto* row = new wxBoxSizer(wxHORIZONTAL);
  text_ = new wxStaticText(this, wxID_ANY, wxEmptyString, wxDefaultPosition, wxDefaultSize,
                           wxST_ELLIPSIZE_MIDDLE);
  gauge_ = new wxGauge(this, wxID_ANY, 100, wxDefaultPosition, FromDIP(wxSize(220, -1)));
  cancel_ = new wxButton(this, wxID_ANY, cancelLabel);
  cancel_->Bind(wxEVT_BUTTON, [this, cancel = std::move(cancel)](wxCommandEvent&) {
    cancel_->Disable();
    cancel();
  });
  row->Add(text_, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
  row->Add(gauge_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
  row->Add(cancel_, 0, wxALIGN_CENTER_VERTICAL);
  SetSizer(row);
  Hide();
}

void ProgressRow::start(const wxString& text, int range) {
  text_->SetLabel(text);
  gauge_->SetRange(std::max(range, 1));
  gauge_->SetValue(0);
  cancel_->Enable();
  Show();
  GetParent()->Layout();
}

void ProgressRow::say(const wxString& text) { text_->SetLabel(text); }

void ProgressRow::advance(int value) { gauge_->SetValue(std::clamp(value, 0, gauge_->GetRange())); }

void ProgressRow::cancelling(const wxString& text) {
  cancel_->Disable();
  text_->SetLabel(text);
}

void ProgressRow::finish() {
  Hide();
  GetParent()->Layout();
}

wxString ProgressRow::text() const { return text_->GetLabel(); }

}  // namespace rx::gui
