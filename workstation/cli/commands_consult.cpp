// consult add | search | show: the pharmacist's consultations.
#include <iostream>
#include <sstream>

#include "base/time.h"
#include "commands.h"
#include "data/files.h"
#include "workstation/consultations.h"

namespace rx::cli {

using nlohmann::json;

namespace {

json consultationJson(const data::ConsultationRecord& c, bool full) {
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  json out = {{"id", c.id},
              {"at", c.at},
              {"pharmacist", c.pharmacist},
              {"patient", opt(c.patientName)},
              {"patient_id", opt(c.patientIdNo)},
              {"prescription", opt(c.prescriptionId)},
              {"channel", c.channel},
              {"question", c.question},
              {"advice", c.advice},
              {"drugs", c.drugs},
              {"follow_up", opt(c.followUp)},
              {"minutes", c.minutes}};
  if (full) out["transcript"] = opt(c.transcript);
  return out;
}

struct AddArgs {
  std::string patient, patientId, patientFrom, channel = "counter", question, advice, followUp,
                                               transcript;
  std::vector<std::string> drugs;
  std::int64_t prescription = 0;
  int minutes = 0;
};

// The consultation as given; the patient's name and ID may come from --patient-from.
Result<ws::NewConsultation> toNewConsultation(AddArgs& a) {
  ws::NewConsultation c;
  if (!a.patientFrom.empty()) {
    RX_ASSIGN_OR_RETURN(auto given, readFieldValues(a.patientFrom, {"name", "id"}));
    if (given.count("name")) a.patient = given.at("name");
    if (given.count("id")) a.patientId = given.at("id");
  }
  if (!a.patient.empty()) c.patientName = a.patient;
  if (!a.patientId.empty()) c.patientIdNo = a.patientId;
  if (a.prescription) c.prescriptionId = a.prescription;
  c.channel = a.channel;
  c.question = a.question;
  c.advice = a.advice;
  c.drugs = a.drugs;
  if (!a.followUp.empty()) c.followUp = a.followUp;
  c.minutes = a.minutes;
  if (!a.transcript.empty()) {
    RX_ASSIGN_OR_RETURN(c.transcript, data::readWholeFile(a.transcript, 1u << 20));
  }
  return c;
}

int runAdd(GlobalOptions& g, AddArgs& a) {
  auto c = toNewConsultation(a);
  if (!c) return reportError(g, c.status());
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto id = ws::ConsultationService(**session).record(*c);
  if (!id) return reportError(g, id.status());
  return reportSuccess(g, {{"ok", true}, {"id", *id}},
                       "Consultation " + std::to_string(*id) + " recorded.\n");
}

void addAddCommand(CLI::App& consult, GlobalOptions& g, Commands& out) {
  auto aa = std::make_shared<AddArgs>();
  auto* add = consult.add_subcommand("add", "Record a consultation (kept complete, never edited)");
  add->add_option("--patient", aa->patient, "Patient's name (leave out for an anonymous one)");
  add->add_option("--patient-id", aa->patientId, "Patient's ID number");
  add->add_option("--patient-from", aa->patientFrom,
                  "Read the patient's name=… and id=… lines from this file, or - for standard "
                  "input (other local users can read the command line, not these)");
  add->add_option("--prescription", aa->prescription, "Record number of a linked prescription");
  add->add_option("--channel", aa->channel, "counter, phone or online (default counter)");
  add->add_option("--question", aa->question, "What was asked")->required();
  add->add_option("--advice", aa->advice, "The advice given")->required();
  add->add_option("--drug", aa->drugs, "A drug discussed (repeat for each)");
  add->add_option("--follow-up", aa->followUp, "Follow-up agreed");
  add->add_option("--minutes", aa->minutes, "Time spent, in minutes");
  add->add_option("--transcript", aa->transcript, "A chat transcript file (UTF-8 text) to keep");
  out.push_back({add, [&g, aa] { return runAdd(g, *aa); }});
}

struct SearchArgs {
  std::string text, from, to, pharmacist, patient, drug;
  int limit = 200;
};

data::ConsultationQuery toQuery(const SearchArgs& a) {
  auto opt = [](const std::string& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  };
  data::ConsultationQuery q;
  q.text = a.text;
  q.from = opt(a.from);
  q.to = opt(a.to);
  q.pharmacist = opt(a.pharmacist);
  q.patient = opt(a.patient);
  q.drug = opt(a.drug);
  q.limit = a.limit;
  return q;
}

int runSearch(GlobalOptions& g, const SearchArgs& a) {
  data::ConsultationQuery q = toQuery(a);
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto rows = ws::ConsultationService(**session).search(q);
  if (!rows) return reportError(g, rows.status());
  json arr = json::array();
  std::ostringstream text;
  for (const auto& c : *rows) {
    arr.push_back(consultationJson(c, false));
    text << c.id << "\t" << chinaTime(c.at) << "\t" << c.pharmacist << "\t"
         << c.patientName.value_or("(anonymous)") << "\t" << c.question << "\n";
  }
  text << rows->size() << " consultation(s).\n";
  return reportSuccess(g, {{"ok", true}, {"consultations", arr}}, text.str());
}

void addSearchCommand(CLI::App& consult, GlobalOptions& g, Commands& out) {
  auto sa = std::make_shared<SearchArgs>();
  auto* search =
      consult.add_subcommand("search", "Find consultations by words, date, people, drug");
  search->add_option("text", sa->text, "Words (Chinese or English) that must all occur");
  search->add_option("--from", sa->from, "From this date (YYYY-MM-DD)");
  search->add_option("--to", sa->to, "To this date, inclusive");
  search->add_option("--pharmacist", sa->pharmacist, "Recorded by this pharmacist");
  search->add_option("--patient", sa->patient, "Patient's name or ID number");
  search->add_option("--drug", sa->drug, "A drug discussed");
  search->add_option("--limit", sa->limit, "At most this many, newest first (default 200)");
  out.push_back({search, [&g, sa] { return runSearch(g, *sa); }});
}

int runConsultShow(GlobalOptions& g, std::int64_t id) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto c = ws::ConsultationService(**session).show(id);
  if (!c) return reportError(g, c.status());
  std::ostringstream text;
  text << "consultation " << c->id << "  " << chinaTime(c->at) << "  " << c->channel << "  "
       << c->pharmacist << "\n"
       << "patient   " << c->patientName.value_or("(anonymous)") << "\n"
       << "question  " << c->question << "\n"
       << "advice    " << c->advice << "\n";
  if (c->transcript) text << "transcript\n" << *c->transcript << "\n";
  return reportSuccess(g, {{"ok", true}, {"consultation", consultationJson(*c, true)}}, text.str());
}

void addShowCommand(CLI::App& consult, GlobalOptions& g, Commands& out) {
  auto showId = std::make_shared<std::int64_t>(0);
  auto* show = consult.add_subcommand("show", "One consultation, complete");
  show->add_option("id", *showId, "Consultation number")->required();
  out.push_back({show, [&g, showId] { return runConsultShow(g, *showId); }});
}

}  // namespace

void addConsultCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* consult = app.add_subcommand("consult",
                                     "Consultations: record, search and read (pharmacists; "
                                     "supervisors read all, audited)");
  consult->require_subcommand(1);
  addAddCommand(*consult, g, out);
  addSearchCommand(*consult, g, out);
  addShowCommand(*consult, g, out);
}

}  // namespace rx::cli
