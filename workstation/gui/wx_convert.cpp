#include "wx_convert.h"

#include <wx/intl.h>

namespace rx::gui {

wxString roleLabel(const std::string& role) {
  if (role == "pharmacist") return _("pharmacist");
  if (role == "supervisor") return _("supervisor");
  if (role == "admin") return _("administrator");
  return toWx(role);
}

}  // namespace rx::gui
