// export (supervisors) and export verify (anyone, no store needed): inspectors' data.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "commands.h"
#include "workstation/export.h"
#include "workstation/report.h"

namespace rx::cli {

using nlohmann::json;

void addExportCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  struct ExportArgs {
    std::string from, to, what, outDir;
    bool mask = false;
  };
  auto ea = std::make_shared<ExportArgs>();
  auto* exp =
      app.add_subcommand("export",
                         "Export a period for inspectors: JSON, CSV, PDF summary, signed manifest "
                         "(supervisors; audited). `export verify DIR` checks one");
  exp->require_subcommand(0, 1);
  exp->add_option("--from", ea->from, "First day (YYYY-MM-DD, Beijing date)");
  exp->add_option("--to", ea->to, "Last day, inclusive");
  exp->add_option("--what", ea->what,
                  "Comma-separated: sales,reviews,consultations,traceability,audit (default all)");
  exp->add_option("--out", ea->outDir, "New or empty folder to write to");
  exp->add_flag("--mask", ea->mask, "Mask patients' names and ID numbers (张*, 1101****0011)");
  out.push_back(
      {exp, [&g, ea] {
         for (auto [name, value] : {std::pair<const char*, const std::string*>{"--from", &ea->from},
                                    {"--to", &ea->to},
                                    {"--out", &ea->outDir}})
           if (value->empty())
             return reportError(
                 g, Status(ErrorCode::kInvalidArgument, std::string(name) + " is required"));
         ws::ExportRequest r{ea->from, ea->to, {}, ea->mask, ea->outDir};
         std::stringstream what(ea->what);
         for (std::string w; std::getline(what, w, ',');)
           if (!w.empty()) r.what.insert(w);
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         const bool tty = ::isatty(2);
         auto summary = ws::writeExport(**session, r, [&](std::int64_t done, std::int64_t total) {
           std::cerr << (tty ? "\r" : "") << "export: " << done << " / " << total << " rows"
                     << (tty ? "" : "\n") << std::flush;
         });
         if (tty) std::cerr << "\r\033[K";
         if (!summary) return reportError(g, summary.status());
         std::ostringstream text;
         for (const auto& [table, rows] : summary->rows)
           text << table << ": " << rows << " row(s)\n";
         text << "Wrote " << summary->files.size() << " files and a signed manifest to "
              << ea->outDir << " (key " << summary->keyId << ").\n";
         return reportSuccess(g,
                              {{"ok", true},
                               {"out", ea->outDir},
                               {"rows", summary->rows},
                               {"files", summary->files},
                               {"key_id", summary->keyId}},
                              text.str());
       }});

  auto dir = std::make_shared<std::string>();
  auto* verify = exp->add_subcommand("verify", "Check an export: signature, every file's SHA-256");
  verify->add_option("dir", *dir, "The export folder")->required();
  out.push_back({verify, [&g, dir] {
                   auto check = ws::verifyExport(*dir);
                   if (!check) return reportError(g, check.status());
                   return reportSuccess(g,
                                        {{"ok", true},
                                         {"intact", true},
                                         {"key_id", check->keyId},
                                         {"pharmacy", check->pharmacy},
                                         {"from", check->from},
                                         {"to", check->to},
                                         {"files", check->files}},
                                        "Intact: " + std::to_string(check->files) + " files, " +
                                            check->from + " to " + check->to + ", signed by " +
                                            check->pharmacy + " with key " + check->keyId +
                                            " (compare it with the pharmacy's key).\n");
                 }});

  // report --from --to
  auto ra = std::make_shared<std::pair<std::string, std::string>>();
  auto* report = app.add_subcommand(
      "report",
      "The supervisor's figures for a period: decisions, rejection reasons, reuse "
      "alerts, signature failures, consultations (supervisors, admins)");
  report->add_option("--from", ra->first, "First day (YYYY-MM-DD, Beijing date)")->required();
  report->add_option("--to", ra->second, "Last day, inclusive")->required();
  out.push_back({report, [&g, ra] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto r = ws::makeReport(**session, ra->first, ra->second);
                   if (!r) return reportError(g, r.status());
                   std::ostringstream text;
                   for (const auto& [name, rows] : r->figures) {
                     text << name << "\n";
                     if (rows.empty()) text << "  (none)\n";
                     for (const auto& row : rows)
                       text << "  " << row.key << (row.key2.empty() ? "" : " " + row.key2) << "\t"
                            << row.count << "\n";
                   }
                   nlohmann::json doc = ws::reportJson(*r);
                   doc["ok"] = true;
                   return reportSuccess(g, doc, text.str());
                 }});
}

}  // namespace rx::cli
