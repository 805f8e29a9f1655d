#include "data/prescriptions.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace rx::data {

namespace {
constexpr std::string_view kStates[] = {"queued",    "in_review",  "approved",
                                        "rejected",  "needs_info", "partially_dispensed",
                                        "dispensed", "closed"};
constexpr std::string_view kPrescriptionColumns =
    "id, kind, state, arrived_at, arrived_by, rx_number, issuer, issued_on, validity_days, "
    "patient_name, "
    "patient_id_no, prescriber, diagnosis, fields, source, verified, agreement_no, "
    "agreement_scope, locked_by, "
    "locked_at, retain_until";
}  // namespace

std::string_view rxStateName(RxState s) { return kStates[static_cast<int>(s)]; }

Result<RxState> parseRxState(std::string_view s) {
  for (int i = 0; i < 8; ++i)
    if (kStates[i] == s) return static_cast<RxState>(i);
  return Status(ErrorCode::kInvalidArgument, "unknown prescription state '" + std::string(s) + "'");
}

std::string_view rxKindName(RxKind k) { return k == RxKind::kPaper ? "paper" : "electronic"; }

Result<RxKind> parseRxKind(std::string_view s) {
  if (s == "paper") return RxKind::kPaper;
  if (s == "electronic") return RxKind::kElectronic;
  return Status(ErrorCode::kInvalidArgument, "unknown prescription kind '" + std::string(s) + "'");
}

namespace {
constexpr std::string_view kSteps[] = {"prepare", "check", "hand_out"};
}  // namespace

std::string_view dispenseStepName(DispenseStep s) { return kSteps[static_cast<int>(s)]; }

Result<DispenseStep> parseDispenseStep(std::string_view s) {
  for (int i = 0; i < 3; ++i)
    if (kSteps[i] == s) return static_cast<DispenseStep>(i);
  return Status(ErrorCode::kInvalidArgument,
                "step '" + std::string(s) + "' is not prepare, check or hand_out");
}

Result<std::int64_t> PrescriptionRepository::insert(const PrescriptionRecord& rx) {
  Transaction tx(conn_);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT INTO prescriptions(" + std::string(kPrescriptionColumns).substr(4) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::optional<std::int64_t> verified;
  if (rx.verified) verified = *rx.verified ? 1 : 0;
  std::optional<std::string> scope;
  if (!rx.agreementScope.empty()) scope = nlohmann::json(rx.agreementScope).dump();
  RX_RETURN_IF_ERROR(st.bind(1, rxKindName(rx.kind))
                         .bind(2, rxStateName(rx.state))
                         .bind(3, rx.arrivedAt)
                         .bind(4, rx.arrivedBy)
                         .bind(5, rx.rxNumber)
                         .bind(6, rx.issuer)
                         .bind(7, rx.issuedOn)
                         .bind(8, rx.validityDays)
                         .bind(9, rx.patientName)
                         .bind(10, rx.patientIdNo)
                         .bind(11, rx.prescriber)
                         .bind(12, rx.diagnosis)
                         .bind(13, rx.fieldsJson)
                         .bind(14, rx.source)
                         .bind(15, verified)
                         .bind(16, rx.agreementNo)
                         .bind(17, scope)
                         .bind(18, rx.lockedBy)
                         .bind(19, rx.lockedAt)
                         .bind(20, rx.retainUntil)
                         .run());
  const std::int64_t id = conn_.lastInsertRowId();
  RX_RETURN_IF_ERROR(insertItems(id, rx.items));
  RX_RETURN_IF_ERROR(tx.commit());
  return id;
}

Status PrescriptionRepository::insertItems(std::int64_t id, const std::vector<RxItem>& items) {
  int line = 0;
  for (const RxItem& item : items) {
    RX_ASSIGN_OR_RETURN(Statement it,
                        conn_.prepare("INSERT INTO prescription_items(prescription_id, line_no, "
                                      "drug_name, drug_class, ephedrine, spec, quantity, "
                                      "unit, usage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    RX_RETURN_IF_ERROR(it.bind(1, id)
                           .bind(2, ++line)
                           .bind(3, item.drugName)
                           .bind(4, item.drugClass)
                           .bind(5, item.ephedrine ? 1 : 0)
                           .bind(6, item.spec)
                           .bind(7, item.quantity)
                           .bind(8, item.unit)
                           .bind(9, item.usage)
                           .run());
  }
  return Status();
}

Status PrescriptionRepository::replaceItems(std::int64_t id, const std::vector<RxItem>& items) {
  Transaction tx(conn_);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(Statement del,
                      conn_.prepare("DELETE FROM prescription_items WHERE prescription_id = ?"));
  RX_RETURN_IF_ERROR(del.bind(1, id).run());
  RX_RETURN_IF_ERROR(insertItems(id, items));
  return tx.commit();
}

Result<PrescriptionRecord> PrescriptionRepository::read(Statement& st) {
  PrescriptionRecord r;
  r.id = st.columnInt(0);
  RX_ASSIGN_OR_RETURN(r.kind, parseRxKind(st.columnText(1)));
  RX_ASSIGN_OR_RETURN(r.state, parseRxState(st.columnText(2)));
  r.arrivedAt = st.columnText(3);
  r.arrivedBy = st.columnText(4);
  r.rxNumber = st.columnOptionalText(5);
  r.issuer = st.columnOptionalText(6);
  r.issuedOn = st.columnOptionalText(7);
  r.validityDays = static_cast<int>(st.columnInt(8));
  r.patientName = st.columnOptionalText(9);
  r.patientIdNo = st.columnOptionalText(10);
  r.prescriber = st.columnOptionalText(11);
  r.diagnosis = st.columnOptionalText(12);
  r.fieldsJson = st.columnText(13);
  r.source = st.columnText(14);
  if (!st.columnIsNull(15)) r.verified = st.columnInt(15) != 0;
  r.agreementNo = st.columnOptionalText(16);
  if (auto scope = st.columnOptionalText(17)) {
    const auto classes = nlohmann::json::parse(*scope, nullptr, false);
    if (!classes.is_array())
      return Status(ErrorCode::kCorrupt, "prescription " + std::to_string(r.id) +
                                             ": its agreement scope is not a list of drug classes");
    for (const auto& c : classes)
      if (c.is_string()) r.agreementScope.push_back(c.get<std::string>());
  }
  r.lockedBy = st.columnOptionalText(18);
  r.lockedAt = st.columnOptionalText(19);
  r.retainUntil = st.columnText(20);
  RX_ASSIGN_OR_RETURN(
      Statement items,
      conn_.prepare("SELECT id, line_no, drug_name, coalesce(drug_class, ''), ephedrine, "
                    "coalesce(spec, ''), quantity, "
                    "coalesce(unit, ''), coalesce(usage, '') FROM prescription_items WHERE "
                    "prescription_id = ? ORDER BY line_no"));
  items.bind(1, r.id);
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, items.step());
    if (!row) break;
    r.items.push_back({items.columnInt(0), static_cast<int>(items.columnInt(1)),
                       items.columnText(2), items.columnText(3), items.columnInt(4) != 0,
                       items.columnText(5), items.columnDouble(6), items.columnText(7),
                       items.columnText(8)});
  }
  return r;
}

Result<PrescriptionRecord> PrescriptionRepository::find(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kPrescriptionColumns) +
                                                  " FROM prescriptions WHERE id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kNotFound, "no prescription with id " + std::to_string(id));
  return read(st);
}

Result<std::vector<PrescriptionRecord>> PrescriptionRepository::list(
    const std::vector<RxState>& states) {
  std::vector<std::int64_t> ids;
  for (RxState state : states) {
    RX_ASSIGN_OR_RETURN(Statement st,
                        conn_.prepare("SELECT id FROM prescriptions WHERE state = ?"));
    st.bind(1, rxStateName(state));
    for (;;) {
      RX_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      ids.push_back(st.columnInt(0));
    }
  }
  std::sort(ids.begin(), ids.end());  // ids grow with arrival: oldest first
  std::vector<PrescriptionRecord> out;
  for (std::int64_t id : ids) {
    RX_ASSIGN_OR_RETURN(PrescriptionRecord r, find(id));
    out.push_back(std::move(r));
  }
  return out;
}

Status PrescriptionRepository::lock(std::int64_t id, const std::string& user,
                                    const std::string& now, const std::string& staleBefore) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("UPDATE prescriptions SET locked_by = ?, locked_at = ? WHERE id = ? AND "
                    "(locked_by IS NULL OR locked_by = ? OR locked_at < ?)"));
  RX_RETURN_IF_ERROR(
      st.bind(1, user).bind(2, now).bind(3, id).bind(4, user).bind(5, staleBefore).run());
  if (conn_.changes() == 1) return Status::ok();
  RX_ASSIGN_OR_RETURN(PrescriptionRecord r, find(id));
  return Status(ErrorCode::kConflict, "prescription " + std::to_string(id) +
                                          " is being reviewed by '" + r.lockedBy.value_or("?") +
                                          "' since " + r.lockedAt.value_or("?"));
}

Status PrescriptionRepository::unlock(std::int64_t id, const std::string& user) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE prescriptions SET locked_by = NULL, locked_at = NULL "
                                    "WHERE id = ? AND locked_by = ?"));
  return st.bind(1, id).bind(2, user).run();
}

Status PrescriptionRepository::moveState(std::int64_t id, RxState from, RxState to) {
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_.prepare("UPDATE prescriptions SET state = ? WHERE id = ? AND state = ?"));
  RX_RETURN_IF_ERROR(st.bind(1, rxStateName(to)).bind(2, id).bind(3, rxStateName(from)).run());
  if (conn_.changes() == 1) return Status::ok();
  RX_ASSIGN_OR_RETURN(PrescriptionRecord r, find(id));
  return Status(ErrorCode::kConflict, "prescription " + std::to_string(id) + " is " +
                                          std::string(rxStateName(r.state)) + ", not " +
                                          std::string(rxStateName(from)));
}

Status PrescriptionRepository::updateFields(std::int64_t id, const std::string& fieldsJson,
                                            const FieldUpdate& u) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "UPDATE prescriptions SET fields = ?, patient_name = coalesce(?, patient_name), "
          "patient_id_no = coalesce(?, patient_id_no), rx_number = coalesce(?, "
          "rx_number), issuer = coalesce(?, issuer), issued_on = coalesce(?, issued_on) "
          "WHERE id = ?"));
  return st.bind(1, fieldsJson)
      .bind(2, u.patientName)
      .bind(3, u.patientIdNo)
      .bind(4, u.rxNumber)
      .bind(5, u.issuer)
      .bind(6, u.issuedOn)
      .bind(7, id)
      .run();
}

Status PrescriptionRepository::extendRetention(std::int64_t id, const std::string& until) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("UPDATE prescriptions SET retain_until = max(retain_until, ?) WHERE id = ?"));
  return st.bind(1, until).bind(2, id).run();
}

Result<std::int64_t> PrescriptionRepository::addDecision(const DecisionRecord& d) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO review_decisions(prescription_id, decision, "
                                    "payload, signature, key_id, decided_by, decided_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  RX_RETURN_IF_ERROR(st.bind(1, d.prescriptionId)
                         .bind(2, d.decision)
                         .bind(3, d.payload)
                         .bind(4, d.signature)
                         .bind(5, d.keyId)
                         .bind(6, d.decidedBy)
                         .bind(7, d.decidedAt)
                         .run());
  return conn_.lastInsertRowId();
}

namespace {
constexpr std::string_view kDecisionSelect =
    "SELECT id, prescription_id, decision, payload, signature, key_id, decided_by, decided_at "
    "FROM review_decisions ";
DecisionRecord readDecision(const Statement& s) {
  return {s.columnInt(0),  s.columnInt(1),  s.columnText(2), s.columnText(3),
          s.columnBlob(4), s.columnText(5), s.columnText(6), s.columnText(7)};
}
}  // namespace

Result<std::vector<DecisionRecord>> PrescriptionRepository::decisions(std::int64_t prescriptionId) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare(std::string(kDecisionSelect) +
                                                  "WHERE prescription_id = ? ORDER BY id"));
  st.bind(1, prescriptionId);
  return st.collect(readDecision);
}

Result<DecisionRecord> PrescriptionRepository::decision(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare(std::string(kDecisionSelect) + "WHERE id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(auto found, st.collect(readDecision));
  if (found.empty())
    return Status(ErrorCode::kNotFound, "there is no review decision " + std::to_string(id));
  return found.front();
}

Status PrescriptionRepository::forEachDecision(
    const std::function<Status(const DecisionRecord&)>& row) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare(std::string(kDecisionSelect) + "ORDER BY id"));
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return Status::ok();
    RX_RETURN_IF_ERROR(row(readDecision(st)));
  }
}

Result<std::int64_t> PrescriptionRepository::decisionCount() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT count(*) FROM review_decisions"));
  RX_RETURN_IF_ERROR(st.step().status());
  return st.columnInt(0);
}

Status PrescriptionRepository::addStep(std::int64_t prescriptionId, const StepRecord& step) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "INSERT INTO dispensing_steps(prescription_id, step, by_user, at) VALUES (?, ?, ?, ?)"));
  Status s = st.bind(1, prescriptionId)
                 .bind(2, dispenseStepName(step.step))
                 .bind(3, step.byUser)
                 .bind(4, step.at)
                 .run();
  if (s.code() == ErrorCode::kConflict)
    return Status(ErrorCode::kConflict, "the step '" + std::string(dispenseStepName(step.step)) +
                                            "' of prescription " + std::to_string(prescriptionId) +
                                            " was already recorded");
  return s;
}

Result<std::vector<StepRecord>> PrescriptionRepository::steps(std::int64_t prescriptionId) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "SELECT step, by_user, at FROM dispensing_steps WHERE prescription_id = ? ORDER BY id"));
  st.bind(1, prescriptionId);
  // The table's CHECK constraint admits only the three step names.
  return st.collect([](const Statement& s) -> StepRecord {
    auto step = parseDispenseStep(s.columnText(0));
    return {step ? *step : DispenseStep::kPrepare, s.columnText(1), s.columnText(2)};
  });
}

namespace {
constexpr std::string_view kPackageColumns =
    "prescription_id, trace_code, product_code, batch, expiry, dispensed_by, dispensed_at, "
    "drug_name, spec, manufacturer, unit, price_fen, handed_out_at, hand_out_no";
PackageRecord readPackage(const Statement& st) {
  PackageRecord p;
  p.prescriptionId = st.columnInt(0);
  p.traceCode = st.columnText(1);
  p.productCode = st.columnText(2);
  p.batch = st.columnOptionalText(3);
  p.expiry = st.columnOptionalText(4);
  p.dispensedBy = st.columnText(5);
  p.dispensedAt = st.columnText(6);
  p.drugName = st.columnOptionalText(7);
  p.spec = st.columnOptionalText(8);
  p.manufacturer = st.columnOptionalText(9);
  p.unit = st.columnOptionalText(10);
  if (!st.columnIsNull(11)) p.priceFen = st.columnInt(11);
  p.handedOutAt = st.columnOptionalText(12);
  if (!st.columnIsNull(13)) p.handOutNo = static_cast<int>(st.columnInt(13));
  return p;
}
}  // namespace

Status PrescriptionRepository::addPackage(const PackageRecord& p) {
  RX_ASSIGN_OR_RETURN(auto earlier, packageByCode(p.traceCode));
  if (earlier)
    return Status(ErrorCode::kAlreadyExists,
                  "traceability code " + p.traceCode + " was already dispensed on " +
                      earlier->dispensedAt + " by '" + earlier->dispensedBy +
                      "' for prescription " + std::to_string(earlier->prescriptionId));
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_.prepare("INSERT INTO dispensed_packages(" + std::string(kPackageColumns) +
                                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return st.bind(1, p.prescriptionId)
      .bind(2, p.traceCode)
      .bind(3, p.productCode)
      .bind(4, p.batch)
      .bind(5, p.expiry)
      .bind(6, p.dispensedBy)
      .bind(7, p.dispensedAt)
      .bind(8, p.drugName)
      .bind(9, p.spec)
      .bind(10, p.manufacturer)
      .bind(11, p.unit)
      .bind(12, p.priceFen)
      .bind(13, p.handedOutAt)
      .bind(14, p.handOutNo)
      .run();
}

Result<int> PrescriptionRepository::markHandedOut(std::int64_t prescriptionId, int handOutNo,
                                                  const std::string& at) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE dispensed_packages SET handed_out_at = ?, "
                                    "hand_out_no = ? WHERE prescription_id = ? AND "
                                    "handed_out_at IS NULL"));
  RX_RETURN_IF_ERROR(st.bind(1, at).bind(2, handOutNo).bind(3, prescriptionId).run());
  return static_cast<int>(conn_.changes());
}

Status PrescriptionRepository::removePackage(std::int64_t prescriptionId,
                                             const std::string& traceCode) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("DELETE FROM dispensed_packages WHERE prescription_id = ? AND "
                                    "trace_code = ? AND handed_out_at IS NULL"));
  RX_RETURN_IF_ERROR(st.bind(1, prescriptionId).bind(2, traceCode).run());
  if (conn_.changes() == 0)
    return Status(ErrorCode::kNotFound,
                  "package " + traceCode + " is not a package of prescription " +
                      std::to_string(prescriptionId) + " still waiting to be handed out");
  return Status();
}

Result<std::optional<PackageRecord>> PrescriptionRepository::packageByCode(
    const std::string& traceCode) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kPackageColumns) +
                                                  " FROM dispensed_packages WHERE trace_code = ?"));
  st.bind(1, traceCode);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<PackageRecord>();
  return std::optional<PackageRecord>(readPackage(st));
}

Result<std::vector<PackageRecord>> PrescriptionRepository::packages(std::int64_t prescriptionId) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT " + std::string(kPackageColumns) +
                    " FROM dispensed_packages WHERE prescription_id = ? ORDER BY id"));
  st.bind(1, prescriptionId);
  return st.collect([](const Statement& s) -> PackageRecord { return readPackage(s); });
}

Result<std::vector<RecallRow>> PrescriptionRepository::recall(
    const std::optional<std::string>& drugName, const std::optional<std::string>& batch,
    const std::optional<std::string>& traceCode) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "SELECT p.id, coalesce(d.drug_name, (SELECT group_concat(drug_name, '、') "
          "FROM prescription_items i WHERE i.prescription_id = p.id), ''), "
          "d.trace_code, d.batch, d.expiry, d.dispensed_at, d.dispensed_by, "
          "p.patient_name, p.patient_id_no "
          "FROM dispensed_packages d JOIN prescriptions p ON p.id = d.prescription_id "
          "WHERE (?1 IS NULL OR d.drug_name = ?1 OR (d.drug_name IS NULL AND EXISTS (SELECT 1 "
          "FROM prescription_items i WHERE i.prescription_id = p.id AND "
          "i.drug_name = ?1))) "
          "AND (?2 IS NULL OR d.batch = ?2) AND (?3 IS NULL OR d.trace_code = ?3) ORDER "
          "BY d.dispensed_at, d.id"));
  st.bind(1, drugName).bind(2, batch).bind(3, traceCode);
  return st.collect([](const Statement& s) -> RecallRow {
    return {s.columnInt(0),          s.columnText(1),         s.columnText(2),
            s.columnOptionalText(3), s.columnOptionalText(4), s.columnText(5),
            s.columnText(6),         s.columnOptionalText(7), s.columnOptionalText(8)};
  });
}

Result<std::vector<std::int64_t>> PrescriptionRepository::expiredRetention(
    const std::string& today) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT id FROM prescriptions WHERE retain_until < ? ORDER BY id"));
  st.bind(1, today);
  return st.collect([](const Statement& s) -> std::int64_t { return s.columnInt(0); });
}

Status PrescriptionRepository::purge(std::int64_t id) {
  for (const char* table :
       {"dispensed_packages", "dispensing_steps", "review_decisions", "prescription_items",
        "reuse_findings", "prescription_pages", "page_features"}) {
    RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare(std::string("DELETE FROM ") + table +
                                                    " WHERE prescription_id = ?"));
    RX_RETURN_IF_ERROR(st.bind(1, id).run());
  }
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("DELETE FROM prescriptions WHERE id = ?"));
  return st.bind(1, id).run();
}

Result<std::optional<std::int64_t>> PrescriptionRepository::usedBy(const std::string& issuer,
                                                                   const std::string& rxNumber) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "SELECT prescription_id FROM used_prescriptions WHERE issuer = ? AND rx_number = ?"));
  st.bind(1, issuer).bind(2, rxNumber);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(st.columnInt(0));
}

Status PrescriptionRepository::markUsed(const std::string& issuer, const std::string& rxNumber,
                                        std::int64_t id, const std::string& at) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO used_prescriptions(issuer, rx_number, "
                                    "prescription_id, used_at) VALUES (?, ?, ?, ?)"));
  Status s = st.bind(1, issuer).bind(2, rxNumber).bind(3, id).bind(4, at).run();
  if (s.code() == ErrorCode::kConflict)
    return Status(ErrorCode::kConflict,
                  "prescription " + rxNumber + " of " + issuer + " was already used");
  return s;
}

}  // namespace rx::data
