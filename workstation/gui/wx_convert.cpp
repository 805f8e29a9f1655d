#include "wx_convert.h"

#include <wx/intl.h>
#include <wx/stattext.h>

namespace rx::gui {

wxString roleLabel(const std::string& role) {
  if (role == "pharmacist") return _("pharmacist");
  if (role == "supervisor") return _("supervisor");
  if (role == "admin") return _("administrator");
  return toWx(role);
}

wxStaticText* makeHeading(wxWindow* parent, const wxString& text, int points) {
  auto* heading = new wxStaticText(parent, wxID_ANY, text);
  wxFont font = heading->GetFont();
  font.SetPointSize(font.GetPointSize() + points);
  font.SetWeight(wxFONTWEIGHT_BOLD);
  heading->SetFont(font);
  return heading;
}

}  // namespace rx::gui
