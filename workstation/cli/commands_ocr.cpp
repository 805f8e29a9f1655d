// ocr IMAGE... : read photographed paper prescriptions (no store needed).
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "commands.h"
#include "ocr/reader.h"
#include "workstation/ocr_json.h"

namespace rx::cli {

namespace {

// Reads each image and prints its fields; an unreadable one is reported and the batch goes on.
int runOcr(GlobalOptions& g, const std::vector<std::string>& files) {
  auto lexicon = ocr::DrugLexicon::load(ocr::defaultCataloguePath());
  if (!lexicon) return reportError(g, lexicon.status());
  auto reader = ocr::makeStandardReader(&*lexicon);
  int worst = 0;
  const bool tty = ::isatty(2);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    if (files.size() > 1)
      std::cerr << (tty ? "\r" : "") << "reading " << (i + 1) << " / " << files.size() << ": "
                << file << (tty ? "\033[K" : "\n") << std::flush;
    auto r = reader->readFile(file);
    if (!r) {
      // One unreadable photo does not stop the batch; it is reported and the exit code says so.
      if (tty && files.size() > 1) std::cerr << "\n";
      std::cerr << "rxdesk-cli: error: " << r.status().message() << "\n";
      if (g.json) printJson(inputErrorJson(file, r.status()));
      worst = std::max(worst, static_cast<int>(exitFor(r.status().code())));
      continue;
    }
    nlohmann::json doc = ws::ocrResultJson(file, *r);
    if (g.json) {
      printJson(doc);
      continue;
    }
    std::ostringstream text;
    text << file << "  (" << r->ms.total << " ms, page "
         << (r->page.otherOutline ? "found at the second outline (the first read nothing)"
             : r->page.pageFound  ? "found"
                                  : "not found, whole photo used")
         << ", turned " << r->page.rotation << "°)\n";
    for (const char* name : ocr::kFieldNames) {
      auto it = r->fields.fields.find(name);
      text << "  " << name << ": " << (it == r->fields.fields.end() ? "-" : it->second.value);
      if (it != r->fields.fields.end() && it->second.readAs)
        text << "   (read as " << *it->second.readAs << ")";
      if (it != r->fields.fields.end() && it->second.confidence < 0.8f)
        text << "   (low confidence: check)";
      text << "\n";
    }
    for (const auto& d : r->fields.drugs) {
      text << "  drug: " << d.name.value << "  " << d.spec.value << "  ×" << d.quantity.value
           << d.unit.value << "  " << d.usage.value;
      if (d.readAs) text << "   (read as " << *d.readAs << ")";
      text << "\n";
    }
    for (const auto& q : r->qrPayloads) text << "  QR: " << q << "\n";
    std::cout << text.str() << std::flush;
  }
  if (tty && files.size() > 1 && !g.json) std::cerr << "\n";
  return worst;
}

}  // namespace

void addOcrCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* ocrCmd = app.add_subcommand(
      "ocr", "Read photographed or scanned paper prescriptions (fields, drugs, QR codes)");
  auto files = std::make_shared<std::vector<std::string>>();
  ocrCmd->add_option("images", *files, "JPEG, PNG, TIFF or WebP files")->required();
  out.push_back({ocrCmd, [&g, files] { return runOcr(g, *files); }});
}

}  // namespace rx::cli
