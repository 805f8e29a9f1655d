// The one place where std::string (UTF-8) and wxString meet.
#pragma once

#include <wx/string.h>

#include <string>

#include "base/status.h"

class wxStaticText;
class wxWindow;

namespace rx::gui {

inline wxString toWx(const std::string& utf8) {
  return wxString::FromUTF8(utf8.data(), utf8.size());
}
inline std::string fromWx(const wxString& s) {
  const wxScopedCharBuffer buf = s.utf8_str();
  return std::string(buf.data(), buf.length());
}

// Returns the role name as the user should read it, translated.
wxString roleLabel(const std::string& role);

// Returns a bold heading `points` larger than the normal text, for window and section titles.
wxStaticText* makeHeading(wxWindow* parent, const wxString& text, int points);
// An error as the pharmacist reads it: what kind of problem it is, in the user's language, then
// the service's own message as the detail for support.
wxString explain(const Status& status);

// A stored UTC timestamp as the counter reads it: Beijing time, "YYYY-MM-DD hh:mm".
wxString beijingTime(const std::string& utc);

}  // namespace rx::gui
