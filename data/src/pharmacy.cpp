#include "data/pharmacy.h"

namespace rx::data {

Result<crypto::SigningKey> loadPharmacyKey(Connection& conn) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare("SELECT private_key FROM pharmacy_keys WHERE "
                                                 "retired_at IS NULL ORDER BY id DESC LIMIT 1"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kCorrupt, conn.path() + " has no pharmacy key");
  crypto::Bytes blob = st.columnBlob(0);
  crypto::SecretBytes secret(blob.data(), blob.size());
  std::fill(blob.begin(), blob.end(), 0);
  return crypto::SigningKey::deserialize(secret);
}

Status storePharmacyKey(Connection& conn, const crypto::SigningKey& key) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn.prepare("INSERT INTO pharmacy_keys(algorithm, private_key, public_key, created_at) "
                   "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"));
  return st.bind(1, crypto::keyTypeName(key.type()))
      .bind(2, key.serialize())
      .bind(3, key.publicKey().spki())
      .run();
}

}  // namespace rx::data
