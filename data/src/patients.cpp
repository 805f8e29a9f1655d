#include "data/patients.h"

namespace rx::data {

Result<PatientRecord> PatientRepository::insert(const PatientRecord& p) {
  if (p.name.empty() || p.name.size() > 200)
    return Status(ErrorCode::kInvalidArgument, "patient name must be 1-200 bytes");
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO patients(name, id_number, phone, created_at) "
                                    "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"));
  RX_RETURN_IF_ERROR(st.bind(1, p.name).bind(2, p.idNumber).bind(3, p.phone).run());
  PatientRecord out = p;
  out.id = conn_.lastInsertRowId();
  return out;
}

Result<PatientRecord> PatientRepository::findById(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_.prepare("SELECT id, name, id_number, phone FROM patients WHERE id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kNotFound, "no patient with id " + std::to_string(id));
  return PatientRecord{st.columnInt(0), st.columnText(1), st.columnOptionalText(2),
                       st.columnOptionalText(3)};
}

Result<std::int64_t> PatientRepository::count() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT count(*) FROM patients"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.columnInt(0) : 0;
}

}  // namespace rx::data
