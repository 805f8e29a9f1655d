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

}  // namespace

void addConsultCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* consult = app.add_subcommand("consult",
                                     "Consultations: record, search and read (pharmacists; "
                                     "supervisors read all, audited)");
  consult->require_subcommand(1);

  struct AddArgs {
    std::string patient, patientId, patientFrom, channel = "counter", question, advice, followUp,
                                                 transcript;
    std::vector<std::string> drugs;
    std::int64_t prescription = 0;
    int minutes = 0;
  };
  auto aa = std::make_shared<AddArgs>();
  auto* add = consult->add_subcommand("add", "Record a consultation (kept complete, never edited)");
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
  out.push_back({add, [&g, aa] {
                   ws::NewConsultation c;
                   if (!aa->patientFrom.empty()) {
                     auto given = readFieldValues(aa->patientFrom, {"name", "id"});
                     if (!given) return reportError(g, given.status());
                     if (given->count("name")) aa->patient = given->at("name");
                     if (given->count("id")) aa->patientId = given->at("id");
                   }
                   if (!aa->patient.empty()) c.patientName = aa->patient;
                   if (!aa->patientId.empty()) c.patientIdNo = aa->patientId;
                   if (aa->prescription) c.prescriptionId = aa->prescription;
                   c.channel = aa->channel;
                   c.question = aa->question;
                   c.advice = aa->advice;
                   c.drugs = aa->drugs;
                   if (!aa->followUp.empty()) c.followUp = aa->followUp;
                   c.minutes = aa->minutes;
                   if (!aa->transcript.empty()) {
                     auto text = data::readWholeFile(aa->transcript, 1u << 20);
                     if (!text) return reportError(g, text.status());
                     c.transcript = *text;
                   }
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto id = ws::ConsultationService(**session).record(c);
                   if (!id) return reportError(g, id.status());
                   return reportSuccess(g, {{"ok", true}, {"id", *id}},
                                        "Consultation " + std::to_string(*id) + " recorded.\n");
                 }});

  struct SearchArgs {
    std::string text, from, to, pharmacist, patient, drug;
    int limit = 200;
  };
  auto sa = std::make_shared<SearchArgs>();
  auto* search =
      consult->add_subcommand("search", "Find consultations by words, date, people, drug");
  search->add_option("text", sa->text, "Words (Chinese or English) that must all occur");
  search->add_option("--from", sa->from, "From this date (YYYY-MM-DD)");
  search->add_option("--to", sa->to, "To this date, inclusive");
  search->add_option("--pharmacist", sa->pharmacist, "Recorded by this pharmacist");
  search->add_option("--patient", sa->patient, "Patient's name or ID number");
  search->add_option("--drug", sa->drug, "A drug discussed");
  search->add_option("--limit", sa->limit, "At most this many, newest first (default 200)");
  out.push_back({search, [&g, sa] {
                   data::ConsultationQuery q;
                   q.text = sa->text;
                   auto opt = [](const std::string& v) {
                     return v.empty() ? std::nullopt : std::optional<std::string>(v);
                   };
                   q.from = opt(sa->from);
                   q.to = opt(sa->to);
                   q.pharmacist = opt(sa->pharmacist);
                   q.patient = opt(sa->patient);
                   q.drug = opt(sa->drug);
                   q.limit = sa->limit;
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
                 }});

  auto showId = std::make_shared<std::int64_t>(0);
  auto* show = consult->add_subcommand("show", "One consultation, complete");
  show->add_option("id", *showId, "Consultation number")->required();
  out.push_back({show, [&g, showId] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto c = ws::ConsultationService(**session).show(*showId);
                   if (!c) return reportError(g, c.status());
                   std::ostringstream text;
                   text << "consultation " << c->id << "  " << chinaTime(c->at) << "  "
                        << c->channel << "  " << c->pharmacist << "\n"
                        << "patient   " << c->patientName.value_or("(anonymous)") << "\n"
                        << "question  " << c->question << "\n"
                        << "advice    " << c->advice << "\n";
                   if (c->transcript) text << "transcript\n" << *c->transcript << "\n";
                   return reportSuccess(
                       g, {{"ok", true}, {"consultation", consultationJson(*c, true)}}, text.str());
                 }});
}

}  // namespace rx::cli
