#include "labels.h"

#include <wx/intl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "service_message.h"
#include "workstation/review.h"
#include "wx_convert.h"

namespace rx::gui {

wxString stateLabel(data::RxState s) {
  switch (s) {
    case data::RxState::kQueued:
      return _("waiting");
    case data::RxState::kInReview:
      return _("in review");
    case data::RxState::kApproved:
      return _("approved");
    case data::RxState::kRejected:
      return _("rejected");
    case data::RxState::kNeedsInfo:
      return _("needs information");
    case data::RxState::kPartiallyDispensed:
      return _("being dispensed");
    case data::RxState::kDispensed:
      return _("dispensed");
    case data::RxState::kClosed:
      return _("closed");
  }
  return wxEmptyString;
}

wxString stateLabel(std::string_view name) {
  if (name == "purged") return _("purged");
  auto s = data::parseRxState(name);
  return s ? stateLabel(*s) : toWx(std::string(name));
}

wxString reasonLabel(std::string_view code) {
  if (code == "incomplete") return _("incomplete prescription");
  if (code == "expired") return _("prescription expired");
  if (code == "dosage") return _("inappropriate dosage");
  if (code == "interaction") return _("drug interaction");
  if (code == "contraindication") return _("contraindication");
  if (code == "not-in-scope") return _("outside the agreement's scope");
  if (code == "reuse") return _("presented before");
  if (code == "signature") return _("signature not accepted");
  if (code == "other") return _("other");
  return toWx(std::string(code));
}

std::string reasonCode(const wxString& pickedOrTyped) {
  const wxString text = pickedOrTyped.Strip(wxString::both);
  for (const auto& code : ws::reasonCodes())
    if (text == reasonLabel(code)) return code;
  return fromWx(text);
}

wxString criterionLabel(const std::string& criterion) {
  wxTranslations* t = wxTranslations::Get();
  if (!t || !t->GetBestTranslation("rxdesk").StartsWith("zh")) return toWx(criterion);
  // The English part is the ASCII words after the last non-ASCII character.
  const auto lastWide = std::find_if(criterion.rbegin(), criterion.rend(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (lastWide == criterion.rend()) return toWx(criterion);
  const std::string chinese(criterion.begin(), lastWide.base());
  const std::string rest(lastWide.base(), criterion.end());
  const bool words =
      !rest.empty() && rest.front() == ' ' && std::all_of(rest.begin(), rest.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '-';
      });
  return toWx(words ? chinese : criterion);
}

wxString verdictLabel(std::string_view verdict) {
  if (verdict == "new") return _("not presented before");
  if (verdict == "reuse-suspected") return _("possibly presented before");
  if (verdict == "reuse-certain") return _("presented before");
  return toWx(std::string(verdict));
}

wxString drugClassLabel(std::string_view code) {
  if (code == "rx") return _("prescription drugs");
  if (code == "otc-a") return _("OTC class A");
  if (code == "otc-b") return _("OTC class B");
  if (code == "narcotic") return _("narcotic drugs");
  if (code == "psychotropic") return _("psychotropic drugs");
  if (code == "toxic") return _("toxic drugs for medical use");
  if (code == "radioactive") return _("radioactive drugs");
  if (code == "precursor") return _("precursor chemicals");
  if (code == "vaccine") return _("vaccines");
  if (code == "blood-product") return _("blood products");
  return toWx(std::string(code));
}

wxString settingLabel(std::string_view key) {
  static const std::map<std::string_view, const char*> labels = {
      {"pharmacy.name", wxTRANSLATE("Pharmacy name (on vouchers)")},
      {"pharmacy.uscc", wxTRANSLATE("Unified social credit code")},
      {"pharmacy.licence", wxTRANSLATE("Drug trading licence number")},
      {"review.max_quantity_per_item", wxTRANSLATE("Supply limit per drug line (packages)")},
      {"review.second_pharmacist_check",
       wxTRANSLATE("The check must be done by a second pharmacist")},
      {"review.lock_minutes", wxTRANSLATE("Minutes before an open review may be taken over")},
      {"review.low_confidence", wxTRANSLATE("OCR confidence below which a field must be checked")},
      {"session.idle_lock_minutes", wxTRANSLATE("Lock the workstation after idle minutes")},
      {"backup.folder", wxTRANSLATE("Folder for the daily backup")},
      {"backup.warn_after_days", wxTRANSLATE("Warn when the last backup is older than (days)")},
      {"intake.watch_folder", wxTRANSLATE("Watched folder (scanner or phone sync)")},
      {"chain.offline_handout",
       wxTRANSLATE("Hand out while the chain registry cannot be reached (with a warning)")},
      {"chain.copy_days", wxTRANSLATE("Days of the chain's presentations kept here")},
  };
  auto it = labels.find(key);
  return it == labels.end() ? toWx(std::string(key)) : wxGetTranslation(it->second);
}

wxString reuseRuleLabel(const std::string& rule) { return serviceMessage(rule); }

wxString handOutLabel(const ws::ReuseMatchInfo& earlier) {
  if (!earlier.used) return _("presented before, not handed out");
  if (earlier.usedAt.empty()) return _("handed out before");
  return wxString::Format(_("handed out on %s"), beijingTime(earlier.usedAt));
}

}  // namespace rx::gui
