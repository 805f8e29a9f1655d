// A service's message — written in English by workstation/ and data/ for the CLI, the log and
// support — in the window's language, for the messages a pharmacist, supervisor or administrator
// meets in the window (logging in, set-up, intake, review, dispensing, consultations, sampling,
// export, backup, users, agreements, settings): the English sentence is matched, its values
// (numbers, codes, names, paths) kept, and the translated sentence is built around them. A message
// not in the table (a damaged store's or file's technical detail) is shown as it is.
#pragma once

#include <wx/string.h>

#include <string>

namespace rx::gui {

wxString serviceMessage(const std::string& message);

}  // namespace rx::gui
