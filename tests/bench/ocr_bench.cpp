// rxdesk-bench-ocr: OCR accuracy and speed on generated photos or on a corpus in the
// rx-photos-v1 format, beside plain `tesseract IMAGE - -l chi_sim` on the same photos in the same
// run (its text goes through the same field extraction, so the difference is the photo handling).
//   rxdesk-bench-ocr [--count N] [--seed S] [--layouts 0,1,2,3,4,5] [--baseline=false]
//                    [--varied-formats] [--other-forms] [--hard] [--corpus DIR]
//                    [--languages chi_sim+eng] [--verbose]
// With --hard the photos are taken as phone photos, scans, photocopies, photos of a screen, of
// crumpled paper, in low light and with a thumb over a corner, in turn; figures are printed for
// each way of taking and (with --other-forms) each way of printing.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "base/utf8.h"
#include "ocr/reader.h"
#include "ocr/runtime.h"
#include "ocr_eval.h"
#include "reuse_corpus.h"
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

// One photo to read: its truth, its file, and how it was printed and taken (for figures by kind).
struct Sample {
  test::GenRx truth;
  std::string file;
  std::string printed;
  std::string taken;
  // Where the generator put the paper (RxGenerator::lastPaper); none for a corpus's photo.
  std::optional<std::array<cv::Point2f, 4>> paper;
};

// The photos of a corpus in the rx-photos-v1 format (manifest.json, photos/, truth/ITEM.json),
// each photo once, in the manifest's order.
std::vector<Sample> corpusSamples(const std::string& dir) {
  std::vector<Sample> out;
  std::ifstream manifest(dir + "/manifest.json");
  if (!manifest) {
    std::cerr << "--corpus: no manifest.json in " << dir << "\n";
    return out;
  }
  const auto events = nlohmann::json::parse(manifest, nullptr, false);
  if (events.is_discarded() || !events.contains("events")) {
    std::cerr << "--corpus: " << dir << "/manifest.json is not a manifest\n";
    return out;
  }
  for (const auto& e : events["events"]) {
    const std::string item = e.value("of", e.value("item", ""));
    std::ifstream in(dir + "/truth/" + item + ".json");
    const auto t = nlohmann::json::parse(in, nullptr, false);
    if (t.is_discarded()) {
      std::cerr << "--corpus: no truth for " << item << "\n";
      continue;
    }
    Sample s;
    s.file = dir + "/" + e.value("photo", "");
    s.printed = "form " + std::to_string(t.value("template", 0));
    s.taken = e.value("role", "");
    auto& g = s.truth;
    g.hospital = t.value("hospital", "");
    g.rxNumber = t.value("rx_number", "");
    g.date = t.value("date", "");
    g.patientName = t.value("patient_name", "");
    g.sex = t.value("sex", "");
    g.age = t.value("age", "");
    g.outpatientId = t.value("outpatient_id", "");
    g.department = t.value("department", "");
    g.diagnosis = t.value("diagnosis", "");
    g.doctor = t.value("doctor", "");
    g.amount = t.value("amount", "");
    for (const auto& d : t.value("drugs", nlohmann::json::array()))
      g.drugs.push_back({d.value("name", ""), d.value("spec", ""), d.value("quantity", 1),
                         d.value("unit", ""), d.value("usage", "")});
    out.push_back(std::move(s));
  }
  return out;
}

// How the i-th photo is taken with --hard: each way in turn (reuse_corpus.h).
test::Conditions hardConditions(int i, std::string* name) {
  static const char* kNames[test::kWaysOfTaking] = {"phone",    "scan",      "photocopy", "screen",
                                                    "crumpled", "low-light", "thumb"};
  *name = kNames[i % test::kWaysOfTaking];
  return test::wayOfTaking(i % test::kWaysOfTaking);
}

void printKinds(const char* title, const std::map<std::string, test::OcrScore>& kinds) {
  std::printf("\n%-26s %6s %8s %8s %8s %8s %8s %10s\n", title, "photos", "number", "date",
              "patient", "hospital", "drugs", "confident");
  for (const auto& [kind, sc] : kinds)
    std::printf("%-26s %6d %7.1f%% %7.1f%% %7.1f%% %7.1f%% %7.1f%% %5d/%-4d\n", kind.c_str(),
                sc.photos(), 100 * sc.exact("rx_number"), 100 * sc.exact("date"),
                100 * sc.exact("patient_name"), 100 * sc.exact("hospital"), 100 * sc.drugNames(),
                sc.confidentWrong(), sc.confident());
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
  bool otherForms = false, hard = false;
  app.add_flag("--other-forms", otherForms,
               "Forms and printing as other hospitals have them (drug tables, a 普通 box, red "
               "seals; coloured paper; dot-matrix, low-toner, thermal printing)");
  app.add_flag("--hard", hard,
               "Take the photos in turn as phone photos, scans, photocopies, screens, crumpled "
               "paper, low light and a thumb over a corner");
  bool busyDesks = false;
  app.add_flag("--busy-desks", busyDesks,
               "Photograph the papers on busy desks (a light counter, wood, a patterned mat; a "
               "receipt, another sheet, a pen, a box, a phone beside them), smaller in the frame");
  std::string corpus;
  app.add_option("--corpus", corpus,
                 "Read a corpus folder in the rx-photos-v1 format (manifest.json, photos/, "
                 "truth/) instead of generating photos");
  app.add_option("--languages", languages,
                 "Tesseract languages for rxdesk's pipeline (e.g. chi_sim+eng)");
  app.add_option("--dump", dump,
                 "Folder to write each generated photo, each straightened page and the fields' "
                 "truth and boxes to (fields.tsv), for working on the extraction");
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
  gen.setOtherForms(otherForms);
  test::TempDir dir;
  std::vector<Sample> samples;
  if (!corpus.empty()) {
    samples = corpusSamples(corpus);
    if (samples.empty()) return 2;
    count = static_cast<int>(samples.size());
  }
  test::OcrScore ours, plain;
  std::map<std::string, test::OcrScore> byTaking, byPrinting;
  std::vector<double> oursMs, plainMs;
  // rxdesk's own timing of each stage (ReadResult::ms), to see where a photo's time goes.
  std::map<std::string, std::vector<double>> stageMs;
  // Generated photos by way of taking: those whose page found is the paper, and all.
  std::map<std::string, std::pair<int, int>> paperFound;
  // Photos whose first page told nothing and were read from the next likeliest outline.
  int otherOutline = 0;
  for (int i = 0; i < count; ++i) {
    if (corpus.empty()) {
      Sample s;
      s.truth = gen.content(layouts[i % layouts.size()]);
      s.printed = gen.printedAs(s.truth);
      s.taken = "phone";
      const cv::Mat page = gen.render(s.truth);
      const test::CaptureOptions capture =
          busyDesks ? test::busyDeskCapture() : test::CaptureOptions{};
      auto jpeg = hard ? gen.take(page, hardConditions(i, &s.taken), capture)
                       : gen.photograph(page, capture);
      s.paper = gen.lastPaper();
      s.file = dir.file("photo-" + std::to_string(i) + ".jpg");
      std::ofstream(s.file, std::ios::binary)
          .write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
      samples.push_back(std::move(s));
    }
    const Sample& sample = samples[static_cast<std::size_t>(i)];
    const test::GenRx& truth = sample.truth;
    const std::string& file = sample.file;
    auto start = std::chrono::steady_clock::now();
    auto r = reader.readFile(file);
    oursMs.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    if (r)
      for (const auto& [stage, ms] : {std::pair{"decode", r->ms.decode},
                                      {"QR", r->ms.qr},
                                      {"page", r->ms.page},
                                      {"recognition", r->ms.recognize},
                                      {"fields", r->ms.fields}})
        stageMs[stage].push_back(ms);
    if (r && r->page.otherOutline) {
      ++otherOutline;
      if (verbose) std::cerr << "\nphoto " << i << ": read from the next likeliest outline";
    }
    if (sample.paper) {
      const double overlap =
          r && r->page.pageFound
              ? test::quadOverlap(r->page.corners, *sample.paper, cv::Size(r->width, r->height))
              : 0;
      auto& [found, photos] = paperFound[sample.taken];
      found += overlap >= test::kIsThePaper ? 1 : 0;
      ++photos;
      if (verbose && overlap < test::kIsThePaper)
        std::cerr << "\nphoto " << i << " (" << sample.taken
                  << "): the page found overlaps the paper " << static_cast<int>(100 * overlap)
                  << "%";
    }
    const ocr::ExtractedFields got = r ? r->fields : ocr::ExtractedFields{};
    auto wrong = ours.add(truth, got);
    byTaking[sample.taken].add(truth, got);
    byPrinting[sample.printed.substr(0, sample.printed.find('+'))].add(truth, got);
    if (!dump.empty() && corpus.empty())  // the generated photo too, to work on page finding
      std::filesystem::copy_file(file, dump + "/photo-" + std::to_string(i) + ".jpg",
                                 std::filesystem::copy_options::overwrite_existing);
    if (!dump.empty() && r) {
      cv::imwrite(dump + "/page-" + std::to_string(i) + ".png", r->page.gray);
      for (const auto& [name, want] : test::OcrScore::truthFields(truth)) {
        auto f = r->fields.fields.find(name);
        const ocr::FieldValue value = f == r->fields.fields.end() ? ocr::FieldValue{} : f->second;
        dumpTsv << i << '\t' << name << '\t' << want << '\t' << value.value << '\t'
                << value.confidence << '\t' << value.box.x << '\t' << value.box.y << '\t'
                << value.box.width << '\t' << value.box.height << '\n';
      }
    }
    if (verbose && r)  // where a photo's time went, to find the slow ones
      std::cerr << "\nphoto " << i << " took " << static_cast<int>(oursMs.back()) << " ms: decode "
                << static_cast<int>(r->ms.decode) << ", QR " << static_cast<int>(r->ms.qr)
                << ", page " << static_cast<int>(r->ms.page) << ", recognition "
                << static_cast<int>(r->ms.recognize) << ", fields "
                << static_cast<int>(r->ms.fields);
    if (verbose)
      for (const auto& w : wrong)
        std::cerr << "\nphoto " << i << " (" << file << ", " << sample.printed << ", "
                  << sample.taken << ", " << (r ? r->width * r->height / 100000 / 10.0 : 0)
                  << " MP): " << w;
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
  if (corpus.empty()) {
    std::printf("corpus: %d generated photos, seed %llu%s%s%s%s, layouts", count,
                static_cast<unsigned long long>(seed), varied ? ", varied formats" : "",
                otherForms ? ", other forms" : "", hard ? ", hard captures" : "",
                busyDesks ? ", busy desks" : "");
    for (int l : layouts) std::printf(" %d", l);
  } else {
    std::printf("corpus: %s, %d photos", corpus.c_str(), count);
  }
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
  std::printf("%-28s %6d/%-5d %6d/%-5d\n", "confident but wrong", ours.confidentWrong(),
              ours.confident(), baseline ? plain.confidentWrong() : 0,
              baseline ? plain.confident() : 0);
  std::printf("%-28s %11.2fs %11.2fs\n", "median seconds per photo", median(oursMs) / 1000,
              median(plainMs) / 1000);
  auto p95 = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * 95 / 100)];
  };
  std::printf("%-28s %11.2fs %11.2fs\n", "p95 seconds per photo", p95(oursMs) / 1000,
              p95(plainMs) / 1000);
  std::printf("median ms by stage:");
  for (const char* stage : {"decode", "QR", "page", "recognition", "fields"})
    std::printf("  %s %.0f", stage, median(stageMs[stage]));
  std::printf("   (page: finding, straightening and turning it upright)\n");
  std::printf("read from the next likeliest outline (the first told nothing): %d of %d photos\n",
              otherOutline, count);
  if (!paperFound.empty()) {  // generated photos: is the page found where the paper lies?
    int found = 0, photos = 0;
    for (const auto& [taken, fp] : paperFound) {
      found += fp.first;
      photos += fp.second;
    }
    std::printf("%s %.1f%% (%d/%d; the page found overlaps the paper %d%% or more;",
                "page found is the paper", 100.0 * found / photos, found, photos,
                static_cast<int>(100 * test::kIsThePaper));
    for (const auto& [taken, fp] : paperFound)
      std::printf(" %s %d/%d", taken.c_str(), fp.first, fp.second);
    std::printf(")\n");
  }
  if (baseline)
    std::printf("%-28s %12.2f\n", "time ratio rxdesk/tesseract",
                median(oursMs) / std::max(1.0, median(plainMs)));
  if (byTaking.size() > 1) printKinds("rxdesk, by taking", byTaking);
  if (byPrinting.size() > 1) printKinds("rxdesk, by printing/form", byPrinting);
  return 0;
}
