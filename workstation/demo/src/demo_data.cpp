#include "workstation/demo_data.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "base/time.h"
#include "data/files.h"
#include "ocr/lexicon.h"
#include "workstation/agreement_document.h"
#include "workstation/agreements.h"
#include "workstation/demo_documents.h"
#include "workstation/eprescription.h"
#include "workstation/identifiers.h"
#include "workstation/intake.h"
#include "workstation/paths.h"
#include "workstation/review.h"
#include "workstation/rxgen.h"
#include "workstation/settings.h"

namespace rx::ws {

namespace {

data::ProductRecord demoProduct(const char* code, const char* drug, const char* spec,
                                std::int64_t priceFen) {
  data::ProductRecord p;
  p.productCode = code;
  p.drugName = drug;
  p.spec = spec;
  p.manufacturer = "演示制药有限公司 Demo Pharma";
  p.unit = "盒";
  p.priceFen = priceFen;
  return p;
}

using Clock = std::chrono::system_clock;

// A provider signing with SM2-SM3, as Chinese CAs issue.
const char* const kProviderName = "演示互联网医院 Demo Internet Hospital";
const char* const kProviderUscc = "12440000455858776H";

// Returns the pharmacy's profile, first filling in a demo one when it has no name.
Result<PharmacyProfile> ensurePharmacyProfile(Session& admin) {
  SettingsService settings(admin);
  RX_ASSIGN_OR_RETURN(PharmacyProfile pharmacy, settings.pharmacy());
  if (pharmacy.name.empty()) {
    pharmacy = {"演示大药房 Demo Pharmacy", "91440300708461136T", "粤AA7550001（演示）"};
    RX_RETURN_IF_ERROR(settings.set("pharmacy.name", pharmacy.name));
    RX_RETURN_IF_ERROR(settings.set("pharmacy.uscc", pharmacy.uscc));
    RX_RETURN_IF_ERROR(settings.set("pharmacy.licence", pharmacy.licence));
  }
  return pharmacy;
}

// Signs the provider's agreement `agreementNo` with `pharmacy` (in force since 30 days), writes it
// to `filesFolder` and imports it.
Status importDemoAgreement(Session& admin, const crypto::SigningKey& provider,
                           const PharmacyProfile& pharmacy, const std::string& filesFolder,
                           Clock::time_point now, const std::string& agreementNo = "DEMO-AG-001") {
  RX_ASSIGN_OR_RETURN(
      std::string agreement,
      signAgreement(demoAgreementDraft(agreementNo, kProviderName, kProviderUscc, pharmacy.name,
                                       pharmacy.uscc.empty() ? "91440300708461136T" : pharmacy.uscc,
                                       datePart(utcTimestamp(now - std::chrono::hours(24 * 30))),
                                       "2099-12-31"),
                    provider, utcTimestamp(now - std::chrono::hours(24 * 30))));
  RX_RETURN_IF_ERROR(data::writeFileAtomically(filesFolder + "/agreement-" + agreementNo + ".json",
                                               agreement, 0600));
  return AgreementService(admin).import(agreement, "demo agreement").status();
}

Status addDemoProducts(ProductService& products) {
  for (const auto& p : {demoProduct("8123456", "阿莫西林胶囊", "0.25g×24粒", 1250),
                        demoProduct("8765432", "头孢克肟胶囊", "0.1g×6粒", 3200),
                        demoProduct("8234567", "二甲双胍片", "0.5g×20片", 850),
                        demoProduct("8345678", "布洛芬缓释胶囊", "0.3g×20粒", 1500)})
    RX_RETURN_IF_ERROR(products.put(p));
  return Status::ok();
}

// The three demo e-prescriptions, before the provider's name and the time they were issued;
// their numbers begin with `numbers`.
std::vector<DemoPrescription> demoPrescriptions(const std::string& numbers) {
  std::vector<DemoPrescription> prescriptions(3);
  prescriptions[0].rxNumber = numbers + "0001";
  prescriptions[1].rxNumber = numbers + "0002";
  prescriptions[1].patientName = "李四";
  prescriptions[1].patientGender = "female";
  prescriptions[1].drugs = {{"二甲双胍片", "rx", "0.5g×20片", 3, "盒", "口服 一次1片 一日2次"}};
  prescriptions[2].rxNumber = numbers + "0003";
  prescriptions[2].patientName = "王小明";
  prescriptions[2].drugs = {{"头孢克肟胶囊", "rx", "0.1g×6粒", 1, "盒", "口服 一次1粒 一日2次"},
                            {"布洛芬缓释胶囊", "otc-a", "0.3g×20粒", 1, "盒", "发热时口服"}};
  return prescriptions;
}

// When the `i`th demo e-prescription was issued: five minutes apart from half an hour before
// `now`, but never before the Beijing day of `now` began (the validity rule counts Beijing days,
// and from 00:00 to 00:30 Beijing time half an hour ago is yesterday) nor after `now`.
Clock::time_point issuedToday(Clock::time_point now, int i) {
  return std::min(now, std::max(beijingDayBegan(now), now - std::chrono::minutes(30)) +
                           std::chrono::minutes(5 * i));
}

// Writes the demo e-prescriptions, signed by `provider` and numbered from `numbers`, and their QR
// payloads to `filesFolder`, and presents them through `review` (the first one twice). Returns
// how many were presented.
Result<int> presentEPrescriptions(ReviewService& review, const crypto::SigningKey& provider,
                                  const std::string& filesFolder, Clock::time_point now,
                                  const std::string& numbers = "DEMO-RX-") {
  int presented = 0;
  std::vector<DemoPrescription> prescriptions = demoPrescriptions(numbers);
  for (std::size_t i = 0; i < prescriptions.size(); ++i) {
    auto& p = prescriptions[i];
    p.issuerName = kProviderName;
    p.issuerUscc = kProviderUscc;
    p.issuedAt = utcTimestamp(issuedToday(now, static_cast<int>(i)));
    RX_ASSIGN_OR_RETURN(std::string text, signEPrescription(demoBundle(p), provider, p.issuedAt));
    const std::string file = filesFolder + "/rx-" + std::to_string(i + 1) + ".json";
    RX_RETURN_IF_ERROR(data::writeFileAtomically(file, text, 0600));
    RX_ASSIGN_OR_RETURN(EPrescription erx, parseEPrescription(text, file));
    RX_ASSIGN_OR_RETURN(std::string qr, makeRxQr(erx, provider, p.issuedAt));
    RX_RETURN_IF_ERROR(data::writeFileAtomically(
        filesFolder + "/rx-" + std::to_string(i + 1) + ".qr.txt", qr, 0600));
    for (int times = i == 0 ? 2 : 1; times > 0; --times) {
      RX_RETURN_IF_ERROR(IntakeService(review).presentElectronic(erx, file).status());
      ++presented;
    }
  }
  return presented;
}

// Writes phone photos of paper to `filesFolder`: a prescription, the same paper photographed again
// another day (present both: the second is caught), and a monthly repeat that must not be.
// Returns how many photos it wrote.
Result<int> writePaperPhotos(ProductService& products, const std::string& filesFolder,
                             Clock::time_point now) {
  RxGenerator gen(20261122, ocr::defaultCataloguePath());
  GenRx paper = gen.content(0);
  paper.date = datePart(chinaTime(utcTimestamp(now)));
  paper.patientName = "赵六";
  // The paper's drugs are in the product list too, so that the demo paper can be dispensed.
  for (std::size_t n = 0; n < paper.drugs.size(); ++n) {
    const std::string code = std::to_string(8400001 + n);
    data::ProductRecord product =
        demoProduct(code.c_str(), paper.drugs[n].name.c_str(), paper.drugs[n].spec.c_str(), 2000);
    if (!paper.drugs[n].unit.empty()) product.unit = paper.drugs[n].unit;
    RX_RETURN_IF_ERROR(products.put(product));
  }
  const cv::Mat page = gen.render(paper);
  CaptureOptions calm;
  calm.sidewaysProbability = calm.upsideDownProbability = 0;
  calm.minMegapixels = calm.maxMegapixels = 3;
  auto save = [&](const std::string& name, const std::vector<std::uint8_t>& jpeg) {
    return data::writeFileAtomically(filesFolder + "/" + name,
                                     std::string(jpeg.begin(), jpeg.end()), 0600);
  };
  RX_RETURN_IF_ERROR(save("paper-1.jpg", gen.photograph(page, calm)));
  RX_RETURN_IF_ERROR(save("paper-1-photographed-again.jpg", gen.photograph(page, calm)));
  RX_RETURN_IF_ERROR(save("paper-2-monthly-repeat.jpg",
                          gen.photograph(gen.render(gen.monthlyRepeat(paper)), calm)));
  return 3;
}

}  // namespace

Result<DemoData> addDemoData(Session& admin, const std::string& path, const std::string& pharmacist,
                             const std::string& pharmacistPassword, const std::string& filesFolder,
                             data::StoreOptions options, Clock::time_point now) {
  DemoData out;
  out.filesFolder = filesFolder;
  if (!ensurePrivateFolder(filesFolder))
    return Status(ErrorCode::kIo, "cannot create the folder " + filesFolder);
  RX_ASSIGN_OR_RETURN(PharmacyProfile pharmacy, ensurePharmacyProfile(admin));
  const crypto::SigningKey provider = crypto::SigningKey::generate(crypto::KeyType::kSm2);
  RX_RETURN_IF_ERROR(importDemoAgreement(admin, provider, pharmacy, filesFolder, now));
  ProductService products(admin);
  RX_RETURN_IF_ERROR(addDemoProducts(products));
  RX_ASSIGN_OR_RETURN(auto desk, Session::login(path, pharmacist, pharmacistPassword, options));
  ReviewService review(*desk);
  RX_ASSIGN_OR_RETURN(out.prescriptionsPresented,
                      presentEPrescriptions(review, provider, filesFolder, now));
  RX_ASSIGN_OR_RETURN(out.photos, writePaperPhotos(products, filesFolder, now));
  RX_RETURN_IF_ERROR(admin
                         .audit("demo.data", path,
                                {{"presented", out.prescriptionsPresented}, {"photos", out.photos}})
                         .status());
  return out;
}

Result<int> addFreshDemoDocuments(Session& admin, Session& pharmacist,
                                  const std::string& filesFolder, Clock::time_point now) {
  if (!ensurePrivateFolder(filesFolder))
    return Status(ErrorCode::kIo, "cannot create the folder " + filesFolder);
  RX_ASSIGN_OR_RETURN(PharmacyProfile pharmacy, ensurePharmacyProfile(admin));
  const crypto::SigningKey provider = crypto::SigningKey::generate(crypto::KeyType::kSm2);
  // Numbered by the time (yyyymmddhhmmss, UTC), so that they are not taken for the earlier ones
  // presented again, nor clash with what an interrupted renewal left.
  std::string stamp = utcTimestamp(now);
  std::erase_if(stamp, [](char c) { return c < '0' || c > '9'; });
  RX_RETURN_IF_ERROR(
      importDemoAgreement(admin, provider, pharmacy, filesFolder, now, "DEMO-AG-" + stamp));
  ReviewService review(pharmacist);
  RX_ASSIGN_OR_RETURN(int presented, presentEPrescriptions(review, provider, filesFolder, now,
                                                           "DEMO-RX-" + stamp + "-"));
  ProductService products(admin);
  RX_RETURN_IF_ERROR(writePaperPhotos(products, filesFolder, now).status());
  RX_RETURN_IF_ERROR(
      admin.audit("demo.fresh-documents", filesFolder, {{"presented", presented}}).status());
  return presented;
}

std::string demoFilesFolderOf(const std::string& storePath, const std::string& filesFolder) {
  return !filesFolder.empty()
             ? filesFolder
             : (std::filesystem::path(storePath).parent_path() / "demo-files").string();
}

PharmacySetup withDemoData(PharmacySetup setup, const std::string& storePath,
                           Clock::time_point now) {
  if (!setup.pharmacist) return setup;
  const std::string files = demoFilesFolderOf(storePath, setup.demoFilesFolder);
  const std::string pharmacist = setup.pharmacist->name;
  const std::string password = setup.pharmacistPassword;
  setup.fill = [pharmacist, password, files, now](Session& admin, const std::string& staging,
                                                  const data::StoreOptions& options) {
    return addDemoData(admin, staging, pharmacist, password, files, options, now).status();
  };
  return setup;
}

}  // namespace rx::ws
