// Writes the fuzzers' seed corpora from the same generators the tests use: a signed
// e-prescription and its QR payload, a signed agreement, scanner codes and a fingerprint, phone
// photos of a rendered prescription, and a backup of a small store.
//   make_seeds DIR   (creates DIR/<target>/seed-*)
#include <filesystem>
#include <fstream>
#include <iostream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crypto/signing_key.h"
#include "dedup/fingerprint.h"
#include "ocr/lexicon.h"
#include "workstation/agreement_document.h"
#include "workstation/backup.h"
#include "workstation/demo_documents.h"
#include "workstation/eprescription.h"
#include "workstation/rxgen.h"
#include "workstation/session.h"

using namespace rx;
namespace fs = std::filesystem;

namespace {
void put(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seeds DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  const auto provider = crypto::SigningKey::generate(crypto::KeyType::kSm2);
  ws::DemoPrescription p;
  auto rx = ws::signEPrescription(ws::demoBundle(p), provider, p.issuedAt);
  auto erx = ws::parseEPrescription(*rx, "seed");
  auto qr = ws::makeRxQr(*erx, provider, p.issuedAt);
  put(out / "eprescription", "seed-rx.json", *rx);
  put(out / "eprescription", "seed-qr.txt", *qr);
  put(out / "jws_json", "seed-rx.json", *rx);
  put(out / "jws_json", "seed-bundle.json", ws::demoBundle(p).dump());
  auto agreement = ws::signAgreement(
      ws::demoAgreementDraft("AG-1", "示例互联网医院", "12440000455858776H", "示例大药房",
                             "91440300708461136T", "2026-01-01", "2099-12-31"),
      provider, "2026-01-01T00:00:00Z");
  put(out / "agreement", "seed-agreement.json", *agreement);
  put(out / "jws_json", "seed-agreement.json", *agreement);
  put(out / "codes", "seed-nmpa.txt", "81234560000012345678\r\n");
  put(out / "codes", "seed-gs1.txt",
      "0106901234567892172806301"
      "0B2301\x1d"
      "21SN0001");
  put(out / "codes", "seed-gs1-printed.txt", "(01)06901234567892(17)280630(10)B2301(21)SN0001");
  put(out / "codes", "seed-fingerprint.txt", dedup::Fingerprint().serialize());

  ws::RxGenerator gen(7, ocr::defaultCataloguePath());
  cv::Mat page = gen.render(gen.content(0));
  cv::Mat small;
  cv::resize(page, small, {}, 0.25, 0.25, cv::INTER_AREA);
  std::vector<std::uint8_t> bytes;
  cv::imencode(".jpg", small, bytes, {cv::IMWRITE_JPEG_QUALITY, 60});
  put(out / "image", "seed-page.jpg", std::string(bytes.begin(), bytes.end()));
  cv::imencode(".png", small, bytes);
  put(out / "image", "seed-page.png", std::string(bytes.begin(), bytes.end()));

  const fs::path tmp = fs::temp_directory_path() / ("rxdesk-seeds-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  data::StoreOptions fast;
  fast.kdf = crypto::ScryptParams{1 << 10, 8, 1};
  auto admin = ws::Session::initStore(
      (tmp / "s.rxdb").string(), {"admin", data::Role::kAdmin, "Admin", std::nullopt}, "pw", fast);
  if (admin && ws::writeBackup(**admin, (tmp / "b.rxbak").string())) {
    std::ifstream in(tmp / "b.rxbak", std::ios::binary);
    put(out / "backup", "seed.rxbak", std::string(std::istreambuf_iterator<char>(in), {}));
  }
  fs::remove_all(tmp);
  std::cout << "seeds written to " << out << "\n";
  return 0;
}
