// A service's message — written in English by workstation/ and data/ for the CLI, the log and
// support — in the window's language, for the messages a pharmacist or supervisor meets at the
// counter: the English sentence is matched, its values (numbers, codes, names) kept, and the
// translated sentence is built around them. A message not in the table is shown as it is.
#pragma once

#include <wx/string.h>

#include <string>

namespace rx::gui {

wxString serviceMessage(const std::string& message);

}  // namespace rx::gui
