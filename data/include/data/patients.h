// Patients (buyers) named on prescriptions. Personal data: only ever inside the encrypted store.
#pragma once

#include <optional>
#include <string>

#include "data/connection.h"

namespace rx::data {

struct PatientRecord {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> idNumber;
  std::optional<std::string> phone;
};

class PatientRepository {
 public:
  explicit PatientRepository(Connection& conn) : conn_(conn) {}
  // Stores a patient and returns the record with its id.
  Result<PatientRecord> insert(const PatientRecord& patient);
  Result<PatientRecord> findById(std::int64_t id);
  Result<std::int64_t> count();

 private:
  Connection& conn_;
};

}  // namespace rx::data
