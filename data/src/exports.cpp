#include "data/exports.h"

namespace rx::data {

const std::vector<ExportTable>& exportTables() {
  static const std::vector<ExportTable> tables = {
      {"sales",
       {{"record"},
        {"hand_out"},
        {"sold_at"},
        {"drug_name"},
        {"spec"},
        {"manufacturer"},
        {"batch"},
        {"expiry"},
        {"trace_code"},
        {"price_fen"},
        {"buyer", ColumnKind::kPatientName},
        {"buyer_id", ColumnKind::kPatientId},
        {"pharmacist"}},
       "SELECT d.prescription_id, d.hand_out_no, d.handed_out_at, d.drug_name, d.spec, "
       "d.manufacturer, d.batch, d.expiry, d.trace_code, d.price_fen, p.patient_name, "
       "p.patient_id_no, d.dispensed_by FROM dispensed_packages d JOIN prescriptions p ON p.id = "
       "d.prescription_id WHERE d.handed_out_at >= ?1 AND d.handed_out_at < ?2 ORDER BY "
       "d.handed_out_at, d.id"},
      {"reviews",
       {{"decision_id"},
        {"record"},
        {"decision"},
        {"decided_by"},
        {"decided_at"},
        {"kind"},
        {"rx_number"},
        {"issuer"},
        {"patient", ColumnKind::kPatientName},
        {"patient_id", ColumnKind::kPatientId},
        {"signed_payload", ColumnKind::kSigned},
        {"key_id"}},
       "SELECT r.id, r.prescription_id, r.decision, r.decided_by, r.decided_at, p.kind, "
       "p.rx_number, p.issuer, p.patient_name, p.patient_id_no, r.payload, r.key_id FROM "
       "review_decisions r JOIN prescriptions p ON p.id = r.prescription_id WHERE r.decided_at >= "
       "?1 AND r.decided_at < ?2 ORDER BY r.decided_at, r.id"},
      {"consultations",
       {{"id"},
        {"at"},
        {"pharmacist"},
        {"patient", ColumnKind::kPatientName},
        {"patient_id", ColumnKind::kPatientId},
        {"prescription"},
        {"channel"},
        {"question"},
        {"advice"},
        {"drugs"},
        {"follow_up"},
        {"minutes"},
        {"transcript"}},
       "SELECT id, at, pharmacist, patient_name, patient_id_no, prescription_id, channel, "
       "question, advice, drugs, follow_up, minutes, transcript FROM consultations WHERE at >= ?1 "
       "AND at < ?2 ORDER BY at, id"},
      {"traceability",
       {{"trace_code"},
        {"product_code"},
        {"drug_name"},
        {"batch"},
        {"expiry"},
        {"record"},
        {"scanned_at"},
        {"scanned_by"},
        {"handed_out_at"}},
       "SELECT trace_code, product_code, drug_name, batch, expiry, prescription_id, dispensed_at, "
       "dispensed_by, handed_out_at FROM dispensed_packages WHERE dispensed_at >= ?1 AND "
       "dispensed_at < ?2 ORDER BY dispensed_at, id"},
      {"audit",
       {{"seq"}, {"at"}, {"actor"}, {"event"}, {"subject"}, {"detail"}, {"hash"}},
       "SELECT seq, at, actor, event, subject, detail, lower(hex(hash)) FROM audit_log WHERE at "
       ">= ?1 AND at < ?2 ORDER BY seq"},
  };
  return tables;
}

Status forEachExportRow(
    Connection& conn, const ExportTable& table, const std::string& fromUtc,
    const std::string& toUtc,
    const std::function<Status(const std::vector<std::optional<std::string>>&)>& row) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare(table.sql));
  st.bind(1, fromUtc).bind(2, toUtc);
  std::vector<std::optional<std::string>> values(table.columns.size());
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return Status();
    for (std::size_t i = 0; i < values.size(); ++i)
      values[i] = st.columnOptionalText(static_cast<int>(i));
    RX_RETURN_IF_ERROR(row(values));
  }
}

Result<std::int64_t> countExportRows(Connection& conn, const ExportTable& table,
                                     const std::string& fromUtc, const std::string& toUtc) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn.prepare("SELECT count(*) FROM (" + std::string(table.sql) + ")"));
  st.bind(1, fromUtc).bind(2, toUtc);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.columnInt(0) : 0;
}

}  // namespace rx::data
