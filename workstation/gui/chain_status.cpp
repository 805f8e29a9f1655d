#include "chain_status.h"

#include <wx/event.h>
#include <wx/intl.h>

#include "base/time.h"
#include "wx_convert.h"

namespace rx::gui {

ChainStatusJob::~ChainStatusJob() {
  if (thread_.joinable()) thread_.join();
}

wxString ChainStatusJob::describe(const ws::ChainStatus& s) {
  if (!s.joined) return wxString();
  const wxString last =
      s.lastExchange ? toWx(chinaTime(*s.lastExchange).substr(11, 5)) : wxString(_("never"));
  wxString text = s.online ? wxString::Format(_("Chain: online (%s)"), last)
                           : wxString::Format(_("Chain: OFFLINE (last %s)"), last);
  if (s.waiting > 0)
    text += wxString::Format(_(", %lld to send"), static_cast<long long>(s.waiting));
  if (s.alerts > 0) text += wxString::Format(_(", %zu alert(s)"), s.alerts);
  // First, so that a narrow window still shows it.
  if (s.auditProblem) text = _("AUDIT LOG CHANGED: tell a supervisor. ") + text;
  return text;
}

void ChainStatusJob::tick(std::unique_ptr<ws::Session> worker) {
  if (busy_ || !worker) return;
  if (thread_.joinable()) thread_.join();
  busy_ = true;
  thread_ = std::thread([this, session = std::move(worker)]() mutable {
    ws::ChainService chain(*session);
    auto status = chain.status(/*probe=*/true);
    session.reset();
    wxString text;
    bool warn = false;
    if (status) {
      text = describe(*status);
      warn = status->joined &&
             (!status->online || status->alerts > 0 || status->auditProblem.has_value());
    } else {
      text = _("Chain: ") + explainInline(status.status());
      warn = true;
    }
    owner_->CallAfter([this, text, warn] {
      busy_ = false;
      show_(text, warn);
    });
  });
}

}  // namespace rx::gui
