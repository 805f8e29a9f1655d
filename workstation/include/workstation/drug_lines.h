// A pharmacist's correction of a paper prescription's drug lines, as the CLI's `review ID
// --confirm drugN=NAME` and the review window give it (docs/intake.md, "Correcting drug lines"):
//   drugN           the drug's name; empty removes line N
//   drugN.spec      strength or package (0.25g×24粒)
//   drugN.quantity  a number above 0
//   drugN.unit      盒, 支, 瓶...
//   drugN.usage     how to take it
// N counts from 1 over the lines as they were before the correction; the numbers after the last
// line add lines, in order, each with its name and quantity. ReviewService::confirmFields takes
// these keys besides the fields' and checks every new name against the catalogue and the product
// list.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "data/prescriptions.h"

namespace rx::ws {

// True for drugN and drugN.ATTRIBUTE keys (N from 1); a malformed one (drug0, drug1.colour) is
// still a drug-line key, which applyDrugLineEdits refuses by name.
bool isDrugLineKey(std::string_view key);

// `s` without surrounding spaces, ASCII or the full-width 　 of Chinese input methods: how a
// drug line's values are taken, and so what counts as an empty name.
std::string trimmed(std::string_view s);

// A drug line's quantity as a person reads and types it (2, 0.5); empty when none was read (0).
// The window, the CLI and the sampling window all show quantities this way.
std::string quantityText(double quantity);

struct DrugLineEdits {
  std::vector<data::RxItem> lines;   // the lines after the correction, in order
  std::vector<std::size_t> renamed;  // indexes into `lines` whose name is new or changed
  std::vector<std::string> removed;  // the names of the lines taken out
};

// Applies the drug-line keys of `values` (others are ignored) to `items`. Refused with the line
// and the reason: a malformed key, a quantity that is not a number above 0, a new line without a
// name or a quantity or not following the last one, a line removed and changed at once.
Result<DrugLineEdits> applyDrugLineEdits(const std::vector<data::RxItem>& items,
                                         const std::map<std::string, std::string>& values);

}  // namespace rx::ws
