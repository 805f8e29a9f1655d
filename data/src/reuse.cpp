#include "data/reuse.h"

namespace rx::data {

Result<SecretBytes> ReuseRepository::secret() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT key FROM dedup_secret WHERE id = 1"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (row) {
    const Bytes b = st.columnBlob(0);
    return SecretBytes(b.data(), b.size());
  }
  SecretBytes key = crypto::randomSecret(32);
  RX_ASSIGN_OR_RETURN(Statement ins,
                      conn_.prepare("INSERT INTO dedup_secret(id, key) VALUES (1, ?)"));
  RX_RETURN_IF_ERROR(ins.bind(1, key).run());
  return key;
}

Status ReuseRepository::setSecret(const SecretBytes& key) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT OR REPLACE INTO dedup_secret(id, key) VALUES (1, ?)"));
  return st.bind(1, key).run();
}

Status ReuseRepository::putFingerprint(std::int64_t id, const std::string& data) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT OR REPLACE INTO fingerprints(prescription_id, data) VALUES (?, ?)"));
  return st.bind(1, id).bind(2, data).run();
}

Result<std::optional<std::string>> ReuseRepository::fingerprint(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT data FROM fingerprints WHERE prescription_id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.columnText(0));
}

Status ReuseRepository::forEachFingerprint(
    const std::function<Status(std::int64_t, const std::string&, bool)>& row,
    std::int64_t afterId) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT prescription_id, data, used_at IS NOT NULL FROM "
                                    "fingerprints WHERE prescription_id > ? ORDER BY "
                                    "prescription_id"));
  st.bind(1, afterId);
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return Status();
    RX_RETURN_IF_ERROR(row(st.columnInt(0), st.columnText(1), st.columnInt(2) != 0));
  }
}

Result<std::int64_t> ReuseRepository::fingerprintCount() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT count(*) FROM fingerprints"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.columnInt(0) : 0;
}

Result<std::vector<std::int64_t>> ReuseRepository::withoutFingerprint() {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT id FROM prescriptions WHERE id NOT IN (SELECT "
                                    "prescription_id FROM fingerprints) ORDER BY id"));
  return st.collect([](const Statement& s) -> std::int64_t { return s.columnInt(0); });
}

Result<std::vector<std::int64_t>> ReuseRepository::pagesWithoutFeatures() {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT prescription_id FROM prescription_pages WHERE "
                                    "prescription_id NOT IN (SELECT prescription_id FROM "
                                    "page_features) ORDER BY prescription_id"));
  return st.collect([](const Statement& s) -> std::int64_t { return s.columnInt(0); });
}

Status ReuseRepository::markUsed(std::int64_t id, const std::string& at) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "UPDATE fingerprints SET used_at = coalesce(used_at, ?) WHERE prescription_id = ?"));
  return st.bind(1, at).bind(2, id).run();
}

Status ReuseRepository::putPage(std::int64_t id, const Bytes& jpeg) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("INSERT OR REPLACE INTO "
                                                  "prescription_pages(prescription_id, jpeg) "
                                                  "VALUES (?, ?)"));
  return st.bind(1, id).bind(2, jpeg).run();
}

Result<std::optional<Bytes>> ReuseRepository::page(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_.prepare("SELECT jpeg FROM prescription_pages WHERE prescription_id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Bytes>();
  return std::optional<Bytes>(st.columnBlob(0));
}

Status ReuseRepository::putPageFeatures(std::int64_t id, const Bytes& data) {
  // Only beside a kept page: a record purged meanwhile by another process gets none.
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT OR REPLACE INTO page_features(prescription_id, data) "
                                    "SELECT ?, ? WHERE EXISTS (SELECT 1 FROM prescription_pages "
                                    "WHERE prescription_id = ?)"));
  return st.bind(1, id).bind(2, data).bind(3, id).run();
}

Status ReuseRepository::forEachPageFeatures(
    const std::function<Status(std::int64_t, const Bytes&)>& row, std::int64_t afterId) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT prescription_id, data FROM "
                                                  "page_features WHERE prescription_id > ? "
                                                  "ORDER BY prescription_id"));
  st.bind(1, afterId);
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return Status();
    RX_RETURN_IF_ERROR(row(st.columnInt(0), st.columnBlob(1)));
  }
}

Status ReuseRepository::putFinding(const ReuseFindingRow& f) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT OR REPLACE INTO reuse_findings(prescription_id, "
                                    "verdict, matches, found_at) VALUES (?, ?, ?, ?)"));
  return st.bind(1, f.prescriptionId)
      .bind(2, f.verdict)
      .bind(3, f.matches)
      .bind(4, f.foundAt)
      .run();
}

Result<std::optional<ReuseFindingRow>> ReuseRepository::finding(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT verdict, matches, found_at, overruled_by, "
                                    "overruled_at, overrule_reason FROM reuse_findings "
                                    "WHERE prescription_id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<ReuseFindingRow>();
  ReuseFindingRow f{id,
                    st.columnText(0),
                    st.columnText(1),
                    st.columnText(2),
                    st.columnOptionalText(3),
                    st.columnOptionalText(4),
                    st.columnOptionalText(5)};
  return std::optional<ReuseFindingRow>(std::move(f));
}

Status ReuseRepository::overrule(std::int64_t id, const std::string& by, const std::string& at,
                                 const std::string& reason) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE reuse_findings SET overruled_by = ?, overruled_at = ?, "
                                    "overrule_reason = ? WHERE prescription_id = ? AND "
                                    "overruled_by IS NULL"));
  RX_RETURN_IF_ERROR(st.bind(1, by).bind(2, at).bind(3, reason).bind(4, id).run());
  if (conn_.changes() == 0)
    return Status(ErrorCode::kConflict, "the reuse finding of prescription " + std::to_string(id) +
                                            " does not exist or was already overruled");
  return Status();
}

}  // namespace rx::data
