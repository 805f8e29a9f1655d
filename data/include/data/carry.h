// What a restore must not undo: prescriptions handed out in the store being replaced. A backup is a
// past state; restoring it over a store in which prescriptions were handed out since would make
// them usable again (M9). Before the restored store replaces the current one, every record that
// was handed out in the current store is copied over whole (its row, drug lines, decisions,
// dispensing steps, packages with their traceability codes, fingerprint, page, finding), together
// with every used prescription number.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct CarryReport {
  int usedNumbers = 0;                // used numbers not yet in the restored store
  std::vector<std::int64_t> records;  // handed-out records copied over (new or updated)
  // Records of the same id that are different prescriptions in the two stores (a backup of
  // another store taken over): not copied; their numbers are still marked used.
  std::vector<std::int64_t> conflicting;
};

// Copies into `conn`'s main database the hand-outs of the database attached to it as `from`
// (same schema version), in one transaction. Tables are found by their prescription_id column,
// so a table added by a later migration is carried too.
Result<CarryReport> carryHandOuts(Connection& conn, const std::string& from);

}  // namespace rx::data
