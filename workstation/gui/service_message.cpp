#include "service_message.h"

#include <wx/intl.h>

#include <regex>
#include <vector>

#include "labels.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

// `pattern` matches the whole English message; in `text` (translated) {N} is the N-th value as it
// is, {sN} a prescription state (labels.h), {mN} a message of its own, translated in turn.
struct Sentence {
  const char* pattern;
  const char* text;
};

const std::vector<Sentence>& sentences() {
  static const std::vector<Sentence> table = {
      // Dispensing (workstation/dispensing.h).
      {R"(prescription (\d+) is ([a-z_]+) and opened by '([^']*)'; (.+))",
       wxTRANSLATE("prescription {1} is {s2} and opened by {3}; {m4}")},
      {R"(prescription (\d+) is ([a-z_]+); (.+))", wxTRANSLATE("prescription {1} is {s2}; {m3}")},
      {R"(open it for review first)", wxTRANSLATE("open it for review first")},
      {R"(only approved prescriptions are dispensed)",
       wxTRANSLATE("only approved prescriptions are dispensed")},
      {R"(it cannot be reviewed now)", wxTRANSLATE("it cannot be reviewed now")},
      {R"(prepare \(调配\) comes before check \(核对\))",
       wxTRANSLATE("prepare (调配) comes before check (核对)")},
      {R"(the check \(核对\) must be done by a second pharmacist, not by '([^']*)' who prepared it)",
       wxTRANSLATE("the check (核对) must be done by a second pharmacist, not by {1} who prepared "
                   "it")},
      {R"(package (\d+): product (\d+) is not in the pharmacy's product list; .*)",
       wxTRANSLATE("package {1}: product {2} is not in the pharmacy's product list; a supervisor "
                   "adds it")},
      {R"(package (\d+) is already scanned for prescription (\d+))",
       wxTRANSLATE("package {1} is already scanned for this prescription ({2})")},
      {R"(package (\d+) was handed out before: on (\S+), scanned by '([^']*)' for prescription (\d+))",
       wxTRANSLATE("package {1} was handed out before: on {2}, for prescription {4}")},
      {R"(package (\d+) was handed out before: scanned by '([^']*)' for prescription (\d+))",
       wxTRANSLATE("package {1} was handed out before, for prescription {3}")},
      {R"(package (\d+) is (.+), which prescription (\d+) does not prescribe \(it prescribes (.*)\))",
       wxTRANSLATE("package {1} is {2}, which prescription {3} does not prescribe (it prescribes "
                   "{4})")},
      {R"(prescription (\d+) needs prepare \(调配\) and check \(核对\) first)",
       wxTRANSLATE("prescription {1} needs prepare (调配) and check (核对) first")},
      {R"(scan the traceability code of every package before handing out)",
       wxTRANSLATE("scan the traceability code of every package before handing out")},
      {R"(no package was scanned since the last hand-out of prescription (\d+))",
       wxTRANSLATE("no package was scanned since the last hand-out of prescription {1}")},
      // Review (workstation/review.h) and its drug lines (workstation/drug_lines.h).
      {R"(open prescription (\d+) for review first)",
       wxTRANSLATE("open prescription {1} for review first")},
      {R"(cannot approve prescription (\d+): blocked by (.*))",
       wxTRANSLATE("cannot approve prescription {1}: a check blocks it ({2})")},
      {R"(the buyer must confirm the risk warning 「(.*)」 before approval \(M13\))",
       wxTRANSLATE("the buyer must confirm the risk warning 「{1}」 before approval (M13)")},
      {R"(a rejection or a request for information needs a reason code)",
       wxTRANSLATE("a rejection or a request for information needs a reason")},
      {R"(drug '(.*)' is neither in the drug catalogue nor in the pharmacy's product list; the nearest catalogue name is (.*))",
       wxTRANSLATE("drug {1} is neither in the drug catalogue nor in the pharmacy's product list; "
                   "the nearest catalogue name is {2}")},
      {R"(drug '(.*)' is neither in the drug catalogue nor in the pharmacy's product list)",
       wxTRANSLATE("drug {1} is neither in the drug catalogue nor in the pharmacy's product "
                   "list")},
      {R"(drug line (\d+): the quantity '(.*)' is not a number above 0 .*)",
       wxTRANSLATE("drug line {1}: the quantity {2} is not a number above 0")},
      {R"(drug line (\d+): a new line needs the drug's name .*)",
       wxTRANSLATE("drug line {1}: a new line needs the drug's name")},
      {R"(drug line (\d+): a new line needs its quantity .*)",
       wxTRANSLATE("drug line {1}: a new line needs its quantity")},
      {R"(drug line (\d+): the prescription has (\d+) line\(s\) with those added; .*)",
       wxTRANSLATE("drug line {1}: the prescription has {2} line(s); add the next line first")},
      {R"(drug line (\d+): an empty name removes the line; it cannot be changed as well)",
       wxTRANSLATE("drug line {1}: an empty name removes the line; it cannot be changed as well")},
      {R"(field 'date': expected a date written YYYY-MM-DD, got '(.*)')",
       wxTRANSLATE("the date must be written year-month-day (2026-12-01), not {1}")},
      // The rules of a reuse match (dedup/reuse.h, dedup/page_reuse.h).
      {R"(same prescription number)", wxTRANSLATE("same prescription number")},
      {R"(same prescription number and date)", wxTRANSLATE("same prescription number and date")},
      {R"(same prescription number and patient)",
       wxTRANSLATE("same prescription number and patient")},
      {R"(prescription number one character off, same date)",
       wxTRANSLATE("prescription number one character off, same date")},
      {R"(same date, and the number looks the same on the page \(misread\))",
       wxTRANSLATE("same date, and the number looks the same on the page (misread)")},
      {R"(number unreadable; same issuer, date and patient)",
       wxTRANSLATE("number unreadable; same issuer, date and patient")},
      {R"(number unreadable; same date, patient and drugs)",
       wxTRANSLATE("number unreadable; same date, patient and drugs")},
      {R"(the filled-in ink looks the same \((\d+) of 4 regions\))",
       wxTRANSLATE("the filled-in ink looks the same ({1} of 4 regions)")},
      {R"(the same written page: (\d+) ink cells of the earlier page found in place, (\d+) different)",
       wxTRANSLATE("the same written page: {1} ink cells of the earlier page found in place, {2} "
                   "different")},
      // Audit sampling (workstation/sampling.h).
      {R"(the (consultation|decision) (\d+) of round (\d+) is not scored yet)",
       wxTRANSLATE("item {2} of round {3} is not scored yet")},
      {R"(audit round (\d+) is closed)", wxTRANSLATE("audit round {1} is closed")},
  };
  return table;
}

wxString fill(const wxString& text, const std::smatch& m) {
  wxString out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close != wxString::npos) {
        wxString key = text.substr(i + 1, close - i - 1);
        const wxUniChar kind = key.empty() ? wxUniChar('0') : key[0];
        if (kind == 's' || kind == 'm') key = key.substr(1);
        unsigned long n = 0;
        if (key.ToULong(&n) && n > 0 && n < m.size()) {
          const std::string value = m[n].str();
          out += kind == 's'   ? stateLabel(value)
                 : kind == 'm' ? serviceMessage(value)
                               : toWx(value);
          i = close;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

wxString serviceMessage(const std::string& message) {
  for (const Sentence& s : sentences()) {
    const std::regex pattern(s.pattern);
    std::smatch m;
    if (std::regex_match(message, m, pattern)) return fill(wxGetTranslation(s.text), m);
  }
  return toWx(message);
}

}  // namespace rx::gui
