// The tables an inspector's export is made of (M25, G7), streamed row by row for a period so a
// month of a busy pharmacy never sits in memory: sales, review decisions, consultations,
// traceability codes and the audit log. Each column says whether it holds a patient's name or ID
// number (masked when the export asks for it).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

// kSigned: signed content that may name the patient; a masked export gives its SHA-256 instead.
enum class ColumnKind { kPlain, kPatientName, kPatientId, kSigned };

struct ExportColumn {
  const char* name;
  ColumnKind kind = ColumnKind::kPlain;
};

struct ExportTable {
  const char* name;  // sales | reviews | consultations | traceability | audit
  std::vector<ExportColumn> columns;
  const char* sql;  // ?1 = from (inclusive), ?2 = to (exclusive), UTC timestamps
};

// The five tables, in export order.
const std::vector<ExportTable>& exportTables();

// Rows of `table` with their time in [fromUtc, toUtc), oldest first; NULLs as nullopt.
Status forEachExportRow(
    Connection& conn, const ExportTable& table, const std::string& fromUtc,
    const std::string& toUtc,
    const std::function<Status(const std::vector<std::optional<std::string>>&)>& row);
// How many rows forEachExportRow would give (for progress).
Result<std::int64_t> countExportRows(Connection& conn, const ExportTable& table,
                                     const std::string& fromUtc, const std::string& toUtc);

}  // namespace rx::data
