#include "workstation/consultations.h"

#include "base/text.h"
#include "base/time.h"
#include "base/utf8.h"
#include "data/prescriptions.h"
#include "workstation/records.h"

namespace rx::ws {

using nlohmann::json;

namespace {
Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }
}  // namespace

Result<std::int64_t> ConsultationService::record(const NewConsultation& c) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kPharmacist, "record consultations"));
  if (c.channel != "counter" && c.channel != "phone" && c.channel != "online")
    return invalid("channel '" + c.channel + "' is not counter, phone or online");
  if (c.question.empty()) return invalid("the question is empty");
  if (c.advice.empty()) return invalid("the advice given is empty");
  if (c.minutes < 0 || c.minutes > 600)
    return invalid("minutes spent must be 0 to 600, not " + std::to_string(c.minutes));
  RX_RETURN_IF_ERROR(checkText("the question", c.question, 64 * 1024, true));
  RX_RETURN_IF_ERROR(checkText("the advice", c.advice, 64 * 1024, true));
  const std::pair<const char*, const std::optional<std::string>*> optional[] = {
      {"the transcript", &c.transcript},
      {"the patient's name", &c.patientName},
      {"the patient's ID number", &c.patientIdNo},
      {"the follow-up", &c.followUp}};
  for (const auto& [field, value] : optional) {
    if (*value) {
      const bool longText = value == &c.transcript || value == &c.followUp;
      RX_RETURN_IF_ERROR(checkText(field, **value,
                                   value == &c.transcript ? (1u << 20)
                                   : longText             ? kMaxNoteText
                                                          : kMaxShortText,
                                   longText));
    }
  }
  for (const std::string& drug : c.drugs) {
    RX_RETURN_IF_ERROR(checkText("a drug", drug, kMaxShortText));
  }
  if (c.patientIdNo && !c.patientName)
    return invalid("a patient ID number needs the patient's name");
  auto& conn = session_.store().connection();
  if (c.prescriptionId)
    RX_RETURN_IF_ERROR(data::PrescriptionRepository(conn).find(*c.prescriptionId).status());
  data::ConsultationRecord r;
  r.pharmacist = session_.user().name;
  r.patientName = c.patientName;
  r.patientIdNo = c.patientIdNo;
  r.prescriptionId = c.prescriptionId;
  r.channel = c.channel;
  r.question = c.question;
  r.advice = c.advice;
  r.drugs = c.drugs;
  r.followUp = c.followUp;
  r.minutes = c.minutes;
  r.transcript = c.transcript;
  r.at = utcTimestamp();
  r.retainUntil = retentionDate(datePart(r.at), std::nullopt);
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(std::int64_t id, data::ConsultationRepository(conn).insert(r));
  RX_RETURN_IF_ERROR(session_
                         .audit("consult.record", std::to_string(id),
                                {{"channel", c.channel}, {"anonymous", !c.patientName}})
                         .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<std::vector<data::ConsultationRecord>> ConsultationService::search(
    data::ConsultationQuery q) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kPharmacist, data::Role::kSupervisor},
                                           "read consultations"));
  for (const auto* d : {&q.from, &q.to})
    if (*d && !isIsoDate(**d)) return invalid("date '" + **d + "' is not YYYY-MM-DD");
  const bool supervisor = session_.user().role == data::Role::kSupervisor;
  q.visibleTo = supervisor ? std::nullopt : std::optional<std::string>(session_.user().name);
  RX_ASSIGN_OR_RETURN(auto rows,
                      data::ConsultationRepository(session_.store().connection()).search(q));
  if (supervisor) {
    json ids = json::array();
    for (const auto& r : rows) ids.push_back(r.id);
    RX_RETURN_IF_ERROR(
        session_
            // The records opened, by number: the query may hold a name.
            .audit("consult.search", "consultations",
                   {{"by_patient", q.patient.has_value()},
                    {"pharmacist", q.pharmacist ? json(*q.pharmacist) : json(nullptr)},
                    {"results", ids}})
            .status());
  }
  return rows;
}

Result<data::ConsultationRecord> ConsultationService::show(std::int64_t id) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kPharmacist, data::Role::kSupervisor},
                                           "read consultations"));
  data::ConsultationRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(data::ConsultationRecord r, repo.find(id));
  if (session_.user().role == data::Role::kSupervisor) {
    RX_RETURN_IF_ERROR(session_
                           .audit("consult.read", std::to_string(id),
                                  {{"pharmacist", r.pharmacist}, {"anonymous", !r.patientName}})
                           .status());
  } else {
    RX_ASSIGN_OR_RETURN(bool visible, repo.visible(id, session_.user().name));
    if (!visible)
      return Status(ErrorCode::kPermissionDenied, "consultation " + std::to_string(id) +
                                                      " is another pharmacist's, with a "
                                                      "patient you have not served");
  }
  return r;
}

}  // namespace rx::ws
