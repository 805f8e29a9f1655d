// rxdesk-name-confusions: measures which characters Debian's chi_sim model reads in place of the
// name characters of data/names/names.tsv, and writes data/names/confusions.tsv; or in place of
// the characters of the catalogue's drug names, for data/catalogue/confusions.tsv.
//   rxdesk-name-confusions --names data/names/names.tsv --out data/names/confusions.tsv
//   rxdesk-name-confusions --drugs data/catalogue/drugs.tsv --out data/catalogue/confusions.tsv
// Each family name and given-name character is rendered on a "姓名：" line in every CJK face
// Debian's fonts-noto-cjk and fonts-wqy-* put on this machine, at three text heights, clean,
// blurred and photographed, and read by chi_sim as a single line (as rxdesk re-reads names).
// Where the reading has as many characters as the name, each character read differently is counted
// as a confusion (the filler characters 王 建 华 明 too, as when the names' table was measured).
// Each drug's name (as the catalogue spells it) is rendered alone in the Simplified Chinese faces,
// also worn, and read; where the reading is as long as the name and at most 40% of its characters
// were read otherwise, each is counted.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/utf8.h"
#include "ocr/fields.h"
#include "ocr/lexicon.h"
#include "ocr/names.h"
#include "ocr/recognizer.h"
#include "ocr/runtime.h"

namespace {

struct Face {
  std::string file;
  int index;
  bool simplifiedChinese;  // the face draws the forms printed in mainland China
};

// How a rendered line is spoilt before reading: not at all; blurred; photographed (resolution
// lost, noise, strong JPEG compression, then scaled back up as rxdesk's page pass does); worn (as
// a dot-matrix print, a screen or a dim photo leave a name: blurred more, then photographed at
// a lower resolution).
enum class Spoil { kClean, kBlurred, kPhotographed, kWorn };

struct Sample {
  std::u32string name;  // the name (or drug's name) rendered
  std::size_t face;
  int height;
  Spoil spoil;
};

// The faces Debian's CJK font packages install: the Simplified Chinese faces of the collections,
// and their first faces, which a program that does not ask for a language's face prints with. The
// first face draws the Japanese forms, some of which chi_sim never reads right even on a clean page
// (曾: 便 17, 全 11, 佛 3 of its 36 readings in those faces).
std::vector<Face> installedFaces() {
  const Face candidates[] = {
      {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2, true},
      {"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2, true},
      {"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2, true},
      {"/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2, true},
      {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0, false},
      {"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 0, false},
      {"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 0, false},
      {"/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 0, false},
      {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, true},
      {"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, true},
  };
  std::vector<Face> out;
  for (const auto& f : candidates)
    if (std::filesystem::exists(f.file)) out.push_back(f);
  return out;
}

cv::Mat renderLine(cv::freetype::FreeType2& ft, const std::string& text, int height, Spoil spoil,
                   unsigned seed) {
  int baseline = 0;
  const cv::Size size = ft.getTextSize(text, height, -1, &baseline);
  cv::Mat colour(size.height + height, size.width + height, CV_8UC3, cv::Scalar::all(255));
  ft.putText(colour, text, {height / 2, height / 2}, height, cv::Scalar::all(0), -1, cv::LINE_AA,
             false);
  cv::Mat img;
  cv::cvtColor(colour, img, cv::COLOR_BGR2GRAY);
  if (spoil == Spoil::kBlurred) cv::GaussianBlur(img, img, cv::Size(0, 0), 1.2);
  if (spoil == Spoil::kWorn) cv::GaussianBlur(img, img, cv::Size(0, 0), 1.8);
  if (spoil == Spoil::kPhotographed || spoil == Spoil::kWorn) {
    const double scale = spoil == Spoil::kWorn ? 0.4 : 0.6;
    cv::Mat small;
    cv::resize(img, small, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::Mat noise(small.size(), CV_16S);
    cv::RNG(seed).fill(noise, cv::RNG::NORMAL, 0, 5);
    cv::Mat noisy;
    small.convertTo(noisy, CV_16S);
    noisy += noise;
    noisy.convertTo(small, CV_8U);
    std::vector<std::uint8_t> jpeg;
    cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 60});
    cv::resize(cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE), img, img.size(), 0, 0, cv::INTER_CUBIC);
  }
  return img;
}

// A drug's name as read: its Chinese characters, letters and digits.
std::u32string drugRead(const std::string& text) {
  std::u32string out;
  for (char32_t c : rx::toU32(rx::ocr::normalizeText(text)))
    if (rx::isHan(c) || (c < 0x80 && std::isalnum(static_cast<int>(c)))) out.push_back(c);
  return out;
}

// The name part of a reading of "姓名：NAME": the Chinese characters after the label.
std::u32string nameRead(const std::string& text) {
  std::u32string t = rx::toU32(rx::ocr::normalizeText(text));
  const std::size_t label = t.find(U"名");
  if (label != std::u32string::npos) t = t.substr(label + 1);
  std::u32string out;
  for (char32_t c : t)
    if (rx::isHan(c)) out.push_back(c);
  return out;
}

// A character read where the name has none (seen: 晓 read as 了晓): marked '-' in the table.
constexpr char32_t kNothing = U'-';

// The position of the one character that `read` has more than `name`, or npos.
std::size_t extraCharacter(const std::u32string& read, const std::u32string& name) {
  if (read.size() != name.size() + 1) return std::u32string::npos;
  for (std::size_t k = 0; k < read.size(); ++k)
    if (read.substr(0, k) + read.substr(k + 1) == name) return k;
  return std::u32string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measure chi_sim's confusions of people's and drugs' names' characters"};
  std::string namesPath, drugsPath, outPath;
  int threads = 2;
  app.add_option("--names", namesPath, "data/names/names.tsv");
  app.add_option("--drugs", drugsPath,
                 "data/catalogue/drugs.tsv: measure its drugs' names instead of people's");
  app.add_option("--out", outPath, "Where to write confusions.tsv")->required();
  app.add_option("--threads", threads, "Reading threads");
  CLI11_PARSE(app, argc, argv);
  rx::ocr::ensureSingleThreadedOpenMp(argv);
  if (namesPath.empty() == drugsPath.empty()) {
    std::cerr << "give --names (people's names) or --drugs (the catalogue's drugs)\n";
    return 2;
  }
  const bool drugs = !drugsPath.empty();
  const std::vector<Face> faces = installedFaces();
  if (faces.empty()) {
    std::cerr << "no CJK fonts found (install fonts-noto-cjk and fonts-wqy-microhei)\n";
    return 2;
  }
  // People's names as data/names/confusions.tsv was measured; drugs' also worn (the hard
  // generator's dot-matrix, screen and low-light photos misread drug names more than those three
  // spoils do). Re-measuring names with worn too was tried (stop 50) and not kept: see
  // docs/ocr-output.md, step 6.
  constexpr Spoil kNameSpoils[] = {Spoil::kClean, Spoil::kBlurred, Spoil::kPhotographed};
  constexpr Spoil kDrugSpoils[] = {Spoil::kClean, Spoil::kBlurred, Spoil::kPhotographed,
                                   Spoil::kWorn};
  constexpr int kHeights[] = {26, 34, 42};
  std::vector<Sample> samples;
  if (drugs) {
    auto catalogue = rx::ocr::DrugLexicon::load(drugsPath);
    if (!catalogue) {
      std::cerr << catalogue.status().message() << "\n";
      return 2;
    }
    // Prescriptions are printed in Chinese faces: the collections' Japanese first faces are left
    // out.
    for (std::size_t f = 0; f < faces.size(); ++f)
      if (faces[f].simplifiedChinese)
        for (int height : kHeights)
          for (Spoil spoil : kDrugSpoils)
            for (const auto& entry : catalogue->entries())
              samples.push_back({rx::toU32(entry.name), f, height, spoil});
  } else {
    std::ifstream in(namesPath);
    if (!in) {
      std::cerr << "cannot read " << namesPath << "\n";
      return 2;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto lexicon = rx::ocr::NameLexicon::parse(buffer.str(), "");
    if (!lexicon) {
      std::cerr << namesPath << ": " << lexicon.status().message() << "\n";
      return 2;
    }
    // Every name character, in its place: family names before a given name, given-name
    // characters after a family name and before another given-name character.
    std::set<char32_t> surnames, given;
    for (char32_t c = 0x4E00; c <= 0x9FFF; ++c) {
      if (lexicon->isSurname(c)) surnames.insert(c);
      if (lexicon->isGiven(c)) given.insert(c);
    }
    for (std::size_t f = 0; f < faces.size(); ++f)
      for (int height : kHeights)
        for (Spoil spoil : kNameSpoils) {
          for (char32_t s : surnames)
            samples.push_back({std::u32string{s, U'建', U'华'}, f, height, spoil});
          for (char32_t g : given)
            samples.push_back({std::u32string{U'王', g, U'明'}, f, height, spoil});
        }
  }

  std::mutex mu;
  std::map<std::pair<char32_t, char32_t>, int> confusions;  // (read, meant) -> count
  std::atomic<std::size_t> next{0}, unaligned{0}, done{0};
  auto work = [&] {
    auto recognizer = rx::ocr::makeTesseractRecognizer("chi_sim");
    std::vector<cv::Ptr<cv::freetype::FreeType2>> ft;
    for (const auto& face : faces) {
      ft.push_back(cv::freetype::createFreeType2());
      ft.back()->loadFontData(face.file, face.index);
    }
    for (std::size_t i; (i = next++) < samples.size();) {
      const Sample& s = samples[i];
      const std::string shown = drugs ? rx::toUtf8(s.name) : "姓名：" + rx::toUtf8(s.name);
      const cv::Mat img =
          renderLine(*ft[s.face], shown, s.height, s.spoil, static_cast<unsigned>(i));
      auto lines = recognizer->recognize(img, rx::ocr::Layout::kSingleLine);
      std::string text;
      if (lines)
        for (const auto& l : *lines) text += l.text;
      const std::u32string read = drugs ? drugRead(text) : nameRead(text);
      std::lock_guard lock(mu);
      if (drugs) {
        // Only readings as long as the name, each character read otherwise in place, and 40% of
        // them at most: which character was read for which is then certain.
        const int allowed = (2 * static_cast<int>(s.name.size()) + 4) / 5;
        int misplaced = 0;
        if (read.size() == s.name.size())
          for (std::size_t k = 0; k < read.size(); ++k) misplaced += read[k] != s.name[k];
        if (read.size() == s.name.size() && misplaced <= allowed &&
            rx::editDistance(read, s.name) == misplaced) {
          for (std::size_t k = 0; k < read.size(); ++k)
            if (read[k] != s.name[k]) ++confusions[{read[k], s.name[k]}];
        } else {
          ++unaligned;
        }
      } else if (read.size() == s.name.size()) {
        for (std::size_t k = 0; k < read.size(); ++k)
          if (read[k] != s.name[k]) ++confusions[{read[k], s.name[k]}];
      } else if (const std::size_t extra = extraCharacter(read, s.name);
                 extra != std::u32string::npos) {
        ++confusions[{read[extra], kNothing}];
      } else {
        ++unaligned;
      }
      if (++done % 500 == 0)
        std::cerr << "\r" << done << " / " << samples.size() << " readings" << std::flush;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  std::cerr << "\n";

  std::vector<std::pair<std::pair<char32_t, char32_t>, int>> sorted(confusions.begin(),
                                                                    confusions.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::ofstream out(outPath);
  if (drugs) {
    const auto chinese = std::count_if(faces.begin(), faces.end(),
                                       [](const Face& f) { return f.simplifiedChinese; });
    out << "# read <TAB> meant <TAB> count: how often Debian's chi_sim model read the character "
           "'meant' of a\n# drug's name as 'read'. Measured by "
           "tests/tools/name_confusions_main.cpp (rxdesk-name-confusions\n# --drugs "
           "data/catalogue/drugs.tsv --out data/catalogue/confusions.tsv): "
        << samples.size() << " single-line\n# readings of the catalogue's names, " << chinese
        << " Simplified Chinese faces of fonts-noto-cjk and fonts-wqy,\n# text 26, 34 and 42 px, "
           "clean, blurred, photographed and worn; "
        << unaligned
        << " readings\n# not as long as the name or further than 40% from it were "
           "not counted.\n";
  } else {
    out << "# read <TAB> meant <TAB> count: how often Debian's chi_sim model read the name "
           "character\n"
        << "# 'meant' as 'read' ('-': read where the name has no character). Measured by\n"
        << "# tests/tools/name_confusions_main.cpp "
           "(rxdesk-name-confusions\n"
        << "# --names data/names/names.tsv --out data/names/confusions.tsv): " << samples.size()
        << " single-line readings of\n# \"姓名：\" + a name, " << faces.size()
        << " faces of fonts-noto-cjk and fonts-wqy, text 26, 34 and 42 px,\n# clean, blurred and "
           "photographed;\n# "
        << unaligned << " readings with other differences in length were not counted.\n";
  }
  for (const auto& [pair, count] : sorted)
    out << rx::toUtf8(std::u32string(1, pair.first)) << '\t'
        << rx::toUtf8(std::u32string(1, pair.second)) << '\t' << count << '\n';
  std::cerr << sorted.size() << " confusions written to " << outPath << " (" << unaligned << " of "
            << samples.size() << " readings not aligned)\n";
  return out ? 0 : 1;
}
