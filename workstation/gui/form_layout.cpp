// Layout pieces the dialogs share (see form_layout.h).
#include "form_layout.h"

#include <wx/sizer.h>
#include <wx/stattext.h>

namespace rx::gui {

void addLabelledRows(wxFlexGridSizer* grid, wxWindow* parent,
                     std::initializer_list<std::pair<wxString, wxWindow*>> rows, int labelFlags,
                     int labelBorder) {
  for (const auto& [label, control] : rows) {
    grid->Add(new wxStaticText(parent, wxID_ANY, label), 0, labelFlags, labelBorder);
    grid->Add(control, 1, wxEXPAND);
  }
}

wxStaticText* makeErrorLine(wxWindow* parent) {
  auto* line = new wxStaticText(parent, wxID_ANY, wxEmptyString);
  line->SetForegroundColour(wxColour(170, 30, 30));
  return line;
}

wxString showErrorLine(wxStaticText* line, const wxString& text, int wrapWidth) {
  wxWindow* window = line->GetParent();
  line->SetLabel(text);
  line->Wrap(window->FromDIP(wrapWidth));
  window->Layout();
  return text;
}

}  // namespace rx::gui
