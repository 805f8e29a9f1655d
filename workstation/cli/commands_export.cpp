// export (supervisors) and export verify (anyone, no store needed): inspectors' data.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "commands.h"
#include "workstation/export.h"
#include "workstation/report.h"

namespace rx::cli {

using nlohmann::json;

namespace {

struct ExportArgs {
  std::string from, to, what, outDir;
  bool mask = false;
};

// export --from --to --out: Ctrl+C stops it with nothing left in the folder (exit 130).
int runExport(GlobalOptions& g, const ExportArgs& a) {
  for (auto [name, value] : {std::pair<const char*, const std::string*>{"--from", &a.from},
                             {"--to", &a.to},
                             {"--out", &a.outDir}})
    if (value->empty())
      return reportError(g,
                         Status(ErrorCode::kInvalidArgument, std::string(name) + " is required"));
  ws::ExportRequest r{a.from, a.to, {}, a.mask, a.outDir};
  std::stringstream what(a.what);
  for (std::string w; std::getline(what, w, ',');)
    if (!w.empty()) r.what.insert(w);
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  const bool tty = ::isatty(2);
  Interruption interruption;
  auto summary = ws::writeExport(
      **session, r,
      [&](std::int64_t done, std::int64_t total) {
        std::cerr << (tty ? "\r" : "") << "export: " << done << " / " << total << " rows"
                  << (tty ? "" : "\n") << std::flush;
      },
      interruption.token());
  if (tty) std::cerr << "\r\033[K";
  if (!summary) return reportError(g, summary.status());
  std::ostringstream text;
  for (const auto& [table, rows] : summary->rows) text << table << ": " << rows << " row(s)\n";
  text << "Wrote " << summary->files.size() << " files and a signed manifest to " << a.outDir
       << " (key " << summary->keyId << ").\n";
  return reportSuccess(g,
                       {{"ok", true},
                        {"out", a.outDir},
                        {"rows", summary->rows},
                        {"files", summary->files},
                        {"key_id", summary->keyId}},
                       text.str());
}

void addExportCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
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
  out.push_back({exp, [&g, ea] { return runExport(g, *ea); }});

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
}

void addReportCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
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

}  // namespace

void addExportCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addExportCommand(app, g, out);
  addReportCommand(app, g, out);
}

}  // namespace rx::cli
