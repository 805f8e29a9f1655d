#include "data/carry.h"

namespace rx::data {

namespace {

// The tables of `schema` that hold parts of a prescription record, by their prescription_id
// column; used_prescriptions (carried whole) and consultations (not part of the record) aside.
Result<std::vector<std::string>> recordTables(Connection& conn) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn.prepare("SELECT m.name FROM main.sqlite_master m WHERE m.type = 'table' AND EXISTS "
                   "(SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'prescription_id') "
                   "AND m.name NOT IN ('used_prescriptions', 'consultations') ORDER BY m.name"));
  return st.collect([](const Statement& s) { return s.columnText(0); });
}

std::string quoted(const std::string& identifier) {
  std::string q = "\"";
  for (char c : identifier) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

Result<CarryReport> carryHandOuts(Connection& conn, const std::string& from) {
  const std::string src = quoted(from);
  CarryReport report;
  Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  // Rows are replaced parent first; references are checked once, at commit.
  RX_RETURN_IF_ERROR(conn.exec("PRAGMA defer_foreign_keys = ON"));
  {
    RX_ASSIGN_OR_RETURN(
        Statement numbers,
        conn.prepare("INSERT OR IGNORE INTO main.used_prescriptions SELECT * FROM " + src +
                     ".used_prescriptions"));
    RX_RETURN_IF_ERROR(numbers.run());
    report.usedNumbers = conn.changes();
  }
  RX_ASSIGN_OR_RETURN(
      Statement handedOut,
      conn.prepare("SELECT DISTINCT s.prescription_id, (SELECT count(*) FROM main.prescriptions m "
                   "JOIN " +
                   src +
                   ".prescriptions r ON r.id = m.id WHERE m.id = "
                   "s.prescription_id AND (m.kind != r.kind OR m.arrived_at != r.arrived_at OR "
                   "m.arrived_by != r.arrived_by OR m.source != r.source)) FROM " +
                   src + ".dispensing_steps s WHERE s.step = 'hand_out' ORDER BY 1"));
  RX_ASSIGN_OR_RETURN(auto ids, handedOut.collect([](const Statement& s) {
    return std::pair<std::int64_t, bool>(s.columnInt(0), s.columnInt(1) > 0);
  }));
  RX_ASSIGN_OR_RETURN(std::vector<std::string> tables, recordTables(conn));
  for (const auto& [id, differs] : ids) {
    if (differs) {
      report.conflicting.push_back(id);
      continue;
    }
    RX_ASSIGN_OR_RETURN(Statement record,
                        conn.prepare("INSERT OR REPLACE INTO main.prescriptions SELECT * FROM " +
                                     src + ".prescriptions WHERE id = ?"));
    RX_RETURN_IF_ERROR(record.bind(1, id).run());
    for (const std::string& table : tables) {
      const std::string t = quoted(table);
      RX_ASSIGN_OR_RETURN(Statement drop,
                          conn.prepare("DELETE FROM main." + t + " WHERE prescription_id = ?"));
      RX_RETURN_IF_ERROR(drop.bind(1, id).run());
      // OR REPLACE: a package whose code was scanned for another record in the backup's time, and
      // moved since, goes with the record that handed it out.
      RX_ASSIGN_OR_RETURN(Statement copy,
                          conn.prepare("INSERT OR REPLACE INTO main." + t + " SELECT * FROM " +
                                       src + "." + t + " WHERE prescription_id = ?"));
      RX_RETURN_IF_ERROR(copy.bind(1, id).run());
    }
    report.records.push_back(id);
  }
  RX_RETURN_IF_ERROR(tx.commit());
  return report;
}

}  // namespace rx::data
