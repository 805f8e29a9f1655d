// rxdesk-bench-ocr: OCR accuracy and speed on generated phone photos, beside plain
// `tesseract IMAGE - -l chi_sim` on the same photos in the same run (its text goes through the
// same field extraction, so the difference is the photo handling).
//   rxdesk-bench-ocr [--count N] [--seed S] [--layouts 0,1,2,3,4,5] [--baseline=false]
//                    [--languages chi_sim+eng] [--verbose]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "base/utf8.h"
#include "ocr/reader.h"
#include "ocr/runtime.h"
#include "ocr_eval.h"
#include "rxgen.h"
#include "temp_dir.h"

using namespace rx;

namespace {

std::vector<ocr::RecognizedLine> plainTesseract(const std::string& image, double* ms) {
  auto start = std::chrono::steady_clock::now();
  std::string cmd = "OMP_THREAD_LIMIT=1 tesseract '" + image + "' - -l chi_sim 2>/dev/null";
  std::vector<ocr::RecognizedLine> lines;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (fgets(buf, sizeof buf, p)) {
      std::string text(buf);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (text.empty()) continue;
      ocr::RecognizedLine line;
      line.text = text;
      line.confidence = 90;
      // Words as the CLI separates them; a run of spaces is a wide gap.
      std::istringstream words(text);
      int x = 0;
      for (std::string w; words >> w;) {
        line.words.push_back({w, 90, cv::Rect(x, 0, 10 * static_cast<int>(w.size()), 30)});
        x += 10 * static_cast<int>(w.size()) + 12;
      }
      lines.push_back(std::move(line));
    }
    pclose(p);
  }
  *ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  ocr::ensureSingleThreadedOpenMp(argv);
  CLI::App app{"OCR accuracy and speed on generated phone photos, beside plain tesseract"};
  int count = 40;
  std::uint64_t seed = 4242;
  std::vector<int> layouts = {0, 1, 2, 3, 4, 5};
  bool baseline = true;
  bool verbose = false;
  std::string languages = "chi_sim";
  std::string dump;
  app.add_option("--count", count, "Photos to generate");
  app.add_option("--seed", seed, "Corpus seed");
  app.add_option("--layouts", layouts, "Hospital layouts")->delimiter(',');
  app.add_option("--baseline", baseline, "Also run plain tesseract");
  app.add_flag("--verbose", verbose, "Print every field rxdesk got wrong");
  bool varied = false;
  app.add_flag("--varied-formats", varied,
               "Numbers and dates as other hospitals print them (CF-20261105-7510, "
               "RX261108-43512, 12 digits; 2026/11/09)");
  app.add_option("--languages", languages,
                 "Tesseract languages for rxdesk's pipeline (e.g. chi_sim+eng)");
  app.add_option("--dump", dump,
                 "Folder to write each straightened page and the fields' truth and boxes to "
                 "(fields.tsv), for working on the extraction");
  CLI11_PARSE(app, argc, argv);
  std::ofstream dumpTsv;
  if (!dump.empty()) {
    dumpTsv.open(dump + "/fields.tsv");
    if (!dumpTsv) {
      std::cerr << "--dump: cannot write " << dump << "/fields.tsv (does the folder exist?)\n";
      return 2;
    }
  }

  auto lexicon = ocr::DrugLexicon::load(ocr::defaultCataloguePath());
  if (!lexicon) {
    std::cerr << lexicon.status().message() << "\n";
    return 1;
  }
  ocr::PrescriptionReader reader(ocr::makeTesseractRecognizer(languages), &*lexicon);
  test::RxGenerator gen(seed, ocr::defaultCataloguePath());
  gen.setVariedFormats(varied);
  test::TempDir dir;
  test::OcrScore ours, plain;
  std::vector<double> oursMs, plainMs;
  for (int i = 0; i < count; ++i) {
    test::GenRx truth = gen.content(layouts[i % layouts.size()]);
    auto jpeg = gen.photograph(gen.render(truth));
    const std::string file = dir.file("photo-" + std::to_string(i) + ".jpg");
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
    auto start = std::chrono::steady_clock::now();
    auto r = reader.readFile(file);
    oursMs.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    auto wrong = ours.add(truth, r ? r->fields : ocr::ExtractedFields{});
    if (!dump.empty() && r) {
      cv::imwrite(dump + "/page-" + std::to_string(i) + ".png", r->page.gray);
      for (const auto& [name, want] : test::OcrScore::truthFields(truth)) {
        auto f = r->fields.fields.find(name);
        const ocr::FieldValue got = f == r->fields.fields.end() ? ocr::FieldValue{} : f->second;
        dumpTsv << i << '\t' << name << '\t' << want << '\t' << got.value << '\t' << got.confidence
                << '\t' << got.box.x << '\t' << got.box.y << '\t' << got.box.width << '\t'
                << got.box.height << '\n';
      }
    }
    if (verbose)
      for (const auto& w : wrong)
        std::cerr << "\nphoto " << i << " (layout " << truth.layout << ", "
                  << (r ? r->width * r->height / 100000 / 10.0 : 0) << " MP): " << w;
    if (baseline) {
      double ms = 0;
      auto lines = plainTesseract(file, &ms);
      plainMs.push_back(ms);
      plain.add(truth, ocr::extractFields(lines, &*lexicon));
    }
    std::cerr << "\rphoto " << (i + 1) << " / " << count << std::flush;
  }
  std::cerr << "\n";
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("corpus: %d generated phone photos, seed %llu, layouts", count,
              static_cast<unsigned long long>(seed));
  for (int l : layouts) std::printf(" %d", l);
  std::printf("\n%-28s %12s %12s\n", "", "rxdesk", baseline ? "tesseract" : "");
  for (const auto& name : test::OcrScore::fieldNames())
    std::printf("%-28s %11.1f%% %11.1f%%\n", ("exact " + name).c_str(), 100 * ours.exact(name),
                baseline ? 100 * plain.exact(name) : 0.0);
  std::printf("%-28s %11.1f%% %11.1f%%\n", "all fields exact", 100 * ours.allFields(),
              baseline ? 100 * plain.allFields() : 0.0);
  std::printf("%-28s %11.1f%% %11.1f%%\n", "drug names", 100 * ours.drugNames(),
              baseline ? 100 * plain.drugNames() : 0.0);
  std::printf("%-28s %11.1f%% %11.1f%%\n", "character error rate", 100 * ours.characterErrorRate(),
              baseline ? 100 * plain.characterErrorRate() : 0.0);
  std::printf("%-28s %11.2fs %11.2fs\n", "median seconds per photo", median(oursMs) / 1000,
              median(plainMs) / 1000);
  if (baseline)
    std::printf("%-28s %12.2f\n", "time ratio rxdesk/tesseract",
                median(oursMs) / std::max(1.0, median(plainMs)));
  return 0;
}
