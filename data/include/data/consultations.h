// Storage and search of pharmacists' consultations (G21: kept complete, never edited). Search uses
// two FTS5 indexes: trigrams for any substring of three characters or more, and the text's CJK
// character pairs as words for two-character Chinese terms; shorter terms scan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct ConsultationRecord {
  std::int64_t id = 0;
  std::string pharmacist;
  std::optional<std::string> patientName, patientIdNo;  // unset: anonymous
  std::optional<std::int64_t> prescriptionId;
  std::string channel;  // counter | phone | online
  std::string question, advice;
  std::vector<std::string> drugs;
  std::optional<std::string> followUp;
  int minutes = 0;
  std::optional<std::string> transcript;
  std::string at;  // UTC
  std::string retainUntil;
};

struct ConsultationQuery {
  std::string text;                     // words separated by spaces, all must occur; empty: any
  std::optional<std::string> from, to;  // YYYY-MM-DD, inclusive (UTC date of `at`)
  std::optional<std::string> pharmacist;
  std::optional<std::string> patient;  // name or ID number, exact
  std::optional<std::string> drug;     // a drug discussed
  // Set for a pharmacist: only their own consultations and those of patients they serve (whose
  // prescriptions they decided, or whom they consulted before). Unset: all (supervisors).
  std::optional<std::string> visibleTo;
  int limit = 200;
};

// The CJK character pairs of `text`, space-separated ("头孢克肟" -> "头孢 孢克 克肟"), as indexed.
std::string cjkPairs(const std::string& text);

class ConsultationRepository {
 public:
  explicit ConsultationRepository(Connection& conn) : conn_(conn) {}
  Result<std::int64_t> insert(const ConsultationRecord& c);
  Result<ConsultationRecord> find(std::int64_t id);
  // Newest first (in the order they were recorded).
  Result<std::vector<ConsultationRecord>> search(const ConsultationQuery& q);
  // Whether `pharmacist` may see consultation `id` (the same rule as ConsultationQuery::visibleTo).
  Result<bool> visible(std::int64_t id, const std::string& pharmacist);

 private:
  Connection& conn_;
};

}  // namespace rx::data
