// The pharmacy's own signing key, created with the store and kept only inside it. It
// countersigns provider agreements, signs audit checkpoints and export manifests.
#pragma once

#include "crypto/signing_key.h"
#include "data/connection.h"

namespace rx::data {

// Returns the current pharmacy signing key.
Result<crypto::SigningKey> loadPharmacyKey(Connection& conn);
// Stores a new pharmacy key (at store creation).
Status storePharmacyKey(Connection& conn, const crypto::SigningKey& key);

}  // namespace rx::data
