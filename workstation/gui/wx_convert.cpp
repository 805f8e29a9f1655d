#include "wx_convert.h"

#include "base/time.h"

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

wxString beijingTime(const std::string& utc) {
  const std::string local = chinaTime(utc);
  return toWx(local.empty() ? utc : local);
}

}  // namespace rx::gui
