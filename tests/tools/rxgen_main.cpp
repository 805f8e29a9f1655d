// rxdesk-rxgen: writes a corpus of synthetic prescription photos with ground truth (JSON lines),
// for looking at, for the benchmarks' plain-tesseract baseline, and for manual testing.
//   rxdesk-rxgen --out DIR [--count N] [--seed S] [--layouts 0,1,2] [--clean] [--varied-formats]
//                [--other-forms]
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "rxgen.h"

int main(int argc, char** argv) {
  CLI::App app{"Write synthetic prescription photos with ground truth"};
  std::string out;
  int count = 10;
  std::uint64_t seed = 1;
  std::vector<int> layouts = {0, 1, 2};
  bool clean = false;
  app.add_option("--out", out, "Folder to write to")->required();
  app.add_option("--count", count, "How many prescriptions");
  app.add_option("--seed", seed, "Random seed");
  app.add_option("--layouts", layouts, "Hospital layouts to use (0-5)")->delimiter(',');
  app.add_flag("--clean", clean, "Also write the clean rendered page");
  bool varied = false, otherForms = false;
  app.add_flag("--varied-formats", varied,
               "Numbers and dates as other hospitals print them (CF-20261105-7510, 2026/11/09)");
  app.add_flag("--other-forms", otherForms,
               "Forms and printing as other hospitals have them (drug tables, a 普通 box, red "
               "seals; coloured paper; dot-matrix, low-toner, thermal printing)");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);
  rx::test::RxGenerator gen(seed, RXDESK_CATALOGUE);
  gen.setVariedFormats(varied);
  gen.setOtherForms(otherForms);
  std::ofstream truth(out + "/truth.jsonl");
  for (int i = 0; i < count; ++i) {
    rx::test::GenRx rx = gen.content(layouts[i % layouts.size()]);
    cv::Mat page = gen.render(rx);
    int rotation = 0;
    auto jpeg = gen.photograph(page, {}, &rotation);
    char name[32];
    std::snprintf(name, sizeof name, "rx-%04d.jpg", i);
    std::ofstream(out + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
    if (clean) cv::imwrite(out + "/" + std::string(name).substr(0, 7) + "-clean.png", page);
    nlohmann::json drugs = nlohmann::json::array();
    for (const auto& d : rx.drugs)
      drugs.push_back({{"name", d.name},
                       {"spec", d.spec},
                       {"quantity", std::to_string(d.quantity)},
                       {"unit", d.unit},
                       {"usage", d.usage}});
    truth << nlohmann::json{{"file", name},
                            {"rotation", rotation},
                            {"layout", rx.layout},
                            {"printed", gen.printedAs(rx)},
                            {"hospital", rx.hospital},
                            {"rx_number", rx.rxNumber},
                            {"date", rx.date},
                            {"patient_name", rx.patientName},
                            {"sex", rx.sex},
                            {"age", rx.age},
                            {"outpatient_id", rx.outpatientId},
                            {"department", rx.department},
                            {"diagnosis", rx.diagnosis},
                            {"drugs", drugs},
                            {"doctor", rx.doctor},
                            {"amount", rx.amount}}
                 .dump()
          << "\n";
  }
  std::cerr << "wrote " << count << " photos to " << out << "\n";
}
