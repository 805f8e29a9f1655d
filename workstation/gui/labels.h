// The codes the services hand over — states, reason codes, reuse verdicts and rules — as a person
// reads them in the window's language. Codes stay codes in the store, the CLI and exports; only
// the window translates them. An unknown code is shown as it is.
#pragma once

#include <wx/string.h>

#include <string>
#include <string_view>
#include <vector>

#include "data/prescriptions.h"

namespace rx::ws {
struct ReuseMatchInfo;
}

namespace rx::gui {

wxString stateLabel(data::RxState s);
wxString stateLabel(std::string_view name);  // rxStateName(), or "purged"
// A rejection or ask reason code (review window's list: incomplete, expired, dosage...).
wxString reasonLabel(std::string_view code);
// The code for what was picked or typed in the review window: a label of ws::reasonCodes() gives
// its code; anything else is taken as typed.
std::string reasonCode(const wxString& pickedOrTyped);
// A sampling criterion as stored ("不规范处方 irregular prescription"): whole in English, its
// Chinese part only in a Chinese window (a criterion in one language is shown as it is).
wxString criterionLabel(const std::string& criterion);
wxString verdictLabel(std::string_view verdict);  // new, reuse-suspected, reuse-certain
// A drug class code of the catalogue and the agreements (rx, otc-a, narcotic...).
wxString drugClassLabel(std::string_view code);
// A workstation setting (ws::settingSpecs(), "session.idle_lock_minutes") as the Settings page
// names it; the services' own meanings are English, for the CLI.
wxString settingLabel(std::string_view key);
// A reuse match's rule (dedup/reuse.h, the page rule), with its numbers kept: one of the
// sentences of service_message.cpp.
wxString reuseRuleLabel(const std::string& rule);
// What became of an earlier presentation: "handed out on <Beijing time>" (or "handed out before"
// when its time is not known), or "presented before, not handed out".
wxString handOutLabel(const ws::ReuseMatchInfo& earlier);

}  // namespace rx::gui
