// Numbered schema migrations. Each is applied once, in its own transaction, and recorded in
// schema_migrations; a store newer than this build is refused rather than guessed at.
#pragma once

#include <string_view>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Returns every migration this build knows, in order.
const std::vector<Migration>& allMigrations();

// Applies the migrations the store has not seen. Fails with kUnsupported if the store records a
// version this build does not know.
Status migrate(Connection& conn);

// Returns the highest applied migration version (0 for an empty store).
Result<int> schemaVersion(Connection& conn);

}  // namespace rx::data
