#include "workstation/agreements.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "data/files.h"
#include "data/pharmacy.h"
#include "store_fixture.h"
#include "workstation/demo_documents.h"
#include "workstation/identifiers.h"
#include "workstation/settings.h"

namespace rx::ws {
namespace {

using nlohmann::json;

constexpr const char* kProviderUscc = "12440000455858776H";
constexpr const char* kPharmacyUscc = "91440300708461136T";
constexpr const char* kNow = "2026-11-22T10:00:00Z";

class AgreementsTest : public ::testing::TestWithParam<crypto::KeyType> {
 protected:
  void SetUp() override {
    auto s =
        Session::initStore(dir_.file("p.rxdb"), test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(s);
    session_ = std::move(*s);
    RX_ASSERT_OK(SettingsService(*session_).set("pharmacy.uscc", kPharmacyUscc));
  }
  std::string signedAgreement(const std::string& no = "AG-2026-001",
                              const std::string& from = "2026-01-01",
                              const std::string& until = "2099-12-31",
                              std::vector<std::string> scope = {"rx", "otc-a", "otc-b"}) {
    auto text = signAgreement(demoAgreementDraft(no, "示例互联网医院", kProviderUscc, "示例大药房",
                                                 kPharmacyUscc, from, until, scope),
                              provider_, "2026-01-01T00:00:00Z");
    EXPECT_TRUE(test::isOk(text));
    return *text;
  }
  EPrescription signedRx(DemoPrescription p = {}) {
    auto text = signEPrescription(demoBundle(p), provider_, p.issuedAt);
    EXPECT_TRUE(test::isOk(text));
    auto rx = parseEPrescription(*text, "rx.json");
    EXPECT_TRUE(test::isOk(rx));
    return *rx;
  }
  test::TempDir dir_;
  std::unique_ptr<Session> session_;
  crypto::SigningKey provider_ = crypto::SigningKey::generate(GetParam());
};

TEST_P(AgreementsTest, ImportCountersignsAndVerifiedPrescriptionIsAccepted) {
  AgreementService agreements(*session_);
  auto imported = agreements.import(signedAgreement(), "ag.json");
  RX_ASSERT_OK(imported);
  EXPECT_EQ(imported->status, data::AgreementStatus::kActive);
  ASSERT_EQ(imported->record.keys.size(), 1u);
  EXPECT_EQ(imported->record.keys[0].keyId, provider_.publicKey().keyId());
  auto pharmacyKey = data::loadPharmacyKey(session_->store().connection());
  RX_ASSERT_OK(pharmacyKey);
  RX_EXPECT_OK(
      crypto::verifySignature(pharmacyKey->publicKey(), pharmacyKey->defaultScheme(),
                              crypto::toBytes(countersignatureMessage(imported->record.document)),
                              imported->record.countersignature));

  ErxVerifier verifier(*session_);
  auto verdict = verifier.evaluate(signedRx(), kNow);
  RX_ASSERT_OK(verdict);
  EXPECT_TRUE(verdict->accepted()) << verdict->toJson().dump(2);
  EXPECT_EQ(verdict->agreementNo, "AG-2026-001");
}

// An agreement made out to another pharmacy is refused naming both 统一社会信用代码 (issue 19 #13),
// and so is any agreement while this pharmacy's is not set: otherwise the keys it pins would sign
// prescriptions accepted here.
TEST_P(AgreementsTest, AnAgreementMadeOutToAnotherPharmacyIsRefused) {
  const std::string otherUscc = "91350100M000100Y43";
  auto text = signAgreement(demoAgreementDraft("AG-OTHER", "示例互联网医院", kProviderUscc,
                                               "别家大药房", otherUscc, "2026-01-01", "2099-12-31"),
                            provider_, "2026-01-01T00:00:00Z");
  RX_ASSERT_OK(text);
  auto foreign = AgreementService(*session_).import(*text, "other.json");
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.status().code(), ErrorCode::kConflict);
  EXPECT_NE(foreign.status().message().find(otherUscc), std::string::npos);
  EXPECT_NE(foreign.status().message().find(kPharmacyUscc), std::string::npos);
  EXPECT_EQ(AgreementService(*session_).list()->size(), 0u);
  // The prescriptions its key signs are not accepted.
  auto verdict = ErxVerifier(*session_).verifyAndRecord(signedRx());
  RX_ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->accepted());

  RX_ASSERT_OK(SettingsService(*session_).set("pharmacy.uscc", ""));
  auto unset = AgreementService(*session_).import(signedAgreement(), "ag.json");
  ASSERT_FALSE(unset);
  EXPECT_NE(unset.status().message().find("统一社会信用代码 is not set"), std::string::npos)
      << unset.status().message();
}

TEST_P(AgreementsTest, AlteredPrescriptionFailsItsSignature) {
  RX_ASSERT_OK(AgreementService(*session_).import(signedAgreement(), "ag.json"));
  auto text = signEPrescription(demoBundle({}), provider_, "2026-11-22T08:00:00Z");
  RX_ASSERT_OK(text);
  json bundle = json::parse(*text);
  bundle["entry"][3]["resource"]["dispenseRequest"]["quantity"]["value"] = 20;  // 2 boxes become 20
  auto rx = parseEPrescription(bundle.dump(), "altered.json");
  RX_ASSERT_OK(rx);
  auto verdict = ErxVerifier(*session_).evaluate(*rx, kNow);
  RX_ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->signatureValid);
  EXPECT_FALSE(verdict->accepted());
}

INSTANTIATE_TEST_SUITE_P(ProviderKeys, AgreementsTest,
                         ::testing::Values(crypto::KeyType::kEd25519, crypto::KeyType::kEcP256,
                                           crypto::KeyType::kSm2, crypto::KeyType::kRsa),
                         [](const auto& info) {
                           std::string n(crypto::keyTypeName(info.param));
                           n.erase(std::remove_if(n.begin(), n.end(),
                                                  [](char c) { return !std::isalnum(c); }),
                                   n.end());
                           return n;
                         });

// The remaining checks do not depend on the key type; SM2 is what Chinese CAs issue.
class AgreementRules : public AgreementsTest {};
INSTANTIATE_TEST_SUITE_P(Sm2, AgreementRules, ::testing::Values(crypto::KeyType::kSm2));

TEST_P(AgreementRules, OnlySupervisorsAndAdminsImport) {
  RX_ASSERT_OK(session_->addUser(test::pharmacistUser("wang"), "w"));
  auto wang = Session::login(dir_.file("p.rxdb"), "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  EXPECT_EQ(AgreementService(**wang).import(signedAgreement(), "ag.json").status().code(),
            ErrorCode::kPermissionDenied);
}

TEST_P(AgreementRules, TamperedOrInvalidAgreementsAreRefusedNamingTheField) {
  json signedDoc = json::parse(signedAgreement());
  json tampered = signedDoc;
  tampered["valid_until"] = "2030-12-31";
  auto r = AgreementService(*session_).import(tampered.dump(), "tampered.json");
  EXPECT_EQ(r.status().code(), ErrorCode::kBadSignature) << r.status().message();

  struct Case {
    std::function<void(json&)> change;
    const char* mention;
  } cases[] = {
      {[](json& d) {
         d["scope"]["categories"] = {"rx", "narcotic"};
       },
       "special-management"},
      {[](json& d) { d["provider"]["uscc"] = "12440000455858776A"; }, "provider.uscc"},
      {[](json& d) { d["valid_until"] = "2025-13-01"; }, "valid_until"},
      {[](json& d) { d.erase("agreement_no"); }, "agreement_no"},
      {[](json& d) { d["version"] = 2; }, "version"},
  };
  for (const auto& c : cases) {
    json draft = demoAgreementDraft("AG-X", "p", kProviderUscc, "ph", kPharmacyUscc, "2026-01-01",
                                    "2027-01-01");
    c.change(draft);
    auto text = signAgreement(draft, provider_, "2026-01-01T00:00:00Z");
    RX_ASSERT_OK(text);
    auto res = AgreementService(*session_).import(*text, "draft.json");
    ASSERT_FALSE(res) << c.mention;
    EXPECT_NE(res.status().message().find(c.mention), std::string::npos) << res.status().message();
    EXPECT_NE(res.status().message().find("draft.json"), std::string::npos)
        << res.status().message();
  }
}

TEST_P(AgreementRules, SuspendResumeRevokeAreHonouredAndRevocationIsFinal) {
  AgreementService agreements(*session_);
  RX_ASSERT_OK(agreements.import(signedAgreement(), "ag.json"));
  ErxVerifier verifier(*session_);
  const EPrescription rx = signedRx();
  RX_ASSERT_OK(agreements.changeStatus("AG-2026-001", data::AgreementStatus::kSuspended,
                                       "licence under review"));
  auto suspended = verifier.evaluate(rx, rx::utcTimestamp());
  RX_ASSERT_OK(suspended);
  EXPECT_FALSE(suspended->agreementActiveNow);
  EXPECT_FALSE(suspended->accepted());
  EXPECT_NE(suspended->agreementDetail.find("licence under review"), std::string::npos)
      << suspended->agreementDetail;

  RX_ASSERT_OK(
      agreements.changeStatus("AG-2026-001", data::AgreementStatus::kActive, "review passed"));
  EXPECT_TRUE(verifier.evaluate(rx, rx::utcTimestamp())->agreementActiveNow);

  RX_ASSERT_OK(agreements.changeStatus("AG-2026-001", data::AgreementStatus::kRevoked,
                                       "provider licence revoked (M23)"));
  EXPECT_FALSE(verifier.evaluate(rx, rx::utcTimestamp())->accepted());
  auto again = agreements.changeStatus("AG-2026-001", data::AgreementStatus::kActive, "oops");
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  auto shown = agreements.show("AG-2026-001");
  RX_ASSERT_OK(shown);
  EXPECT_EQ(shown->history.size(), 4u);  // imported, suspended, active, revoked
  EXPECT_EQ(shown->status, data::AgreementStatus::kRevoked);
}

TEST_P(AgreementRules, PrescriptionIssuedOutsideTheWindowIsRefused) {
  RX_ASSERT_OK(AgreementService(*session_).import(
      signedAgreement("AG-2026-001", "2026-06-01", "2099-12-31"), "ag"));
  // Agreement dates are Beijing days: 23:00 on 31 May Beijing time (15:00Z) is outside.
  DemoPrescription p;
  p.issuedAt = "2026-05-31T15:00:00Z";
  auto verdict = ErxVerifier(*session_).evaluate(signedRx(p), kNow);
  RX_ASSERT_OK(verdict);
  EXPECT_TRUE(verdict->signatureValid);
  EXPECT_FALSE(verdict->agreementActiveAtIssue);
  EXPECT_TRUE(verdict->agreementActiveNow);
  EXPECT_FALSE(verdict->accepted());
  // 23:00Z on 31 May is 07:00 on 1 June in Beijing: inside, though the UTC date is still May.
  p.issuedAt = "2026-05-31T23:00:00Z";
  auto inside = ErxVerifier(*session_).evaluate(signedRx(p), kNow);
  RX_ASSERT_OK(inside);
  EXPECT_TRUE(inside->agreementActiveAtIssue);
}

TEST_P(AgreementRules, DrugsOutsideScopeAndSpecialManagementAreFlagged) {
  RX_ASSERT_OK(AgreementService(*session_).import(
      signedAgreement("AG-1", "2026-01-01", "2099-12-31", {"otc-a"}), "ag"));
  DemoPrescription p;
  p.drugs = {DemoDrug{"维生素C片", "otc-a", "", 1, "瓶", "口服"},
             DemoDrug{"阿莫西林胶囊", "rx", "", 1, "盒", "口服"},
             DemoDrug{"盐酸吗啡片", "narcotic", "", 1, "盒", "口服"}};
  auto verdict = ErxVerifier(*session_).evaluate(signedRx(p), kNow);
  RX_ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->drugsInScope);
  EXPECT_EQ(verdict->outOfScope,
            (std::vector<std::string>{"阿莫西林胶囊 (rx)", "盐酸吗啡片 (narcotic)"}));
}

TEST_P(AgreementRules, UnpinnedKeyOrForeignIssuerIsRefused) {
  RX_ASSERT_OK(AgreementService(*session_).import(signedAgreement(), "ag"));
  // Same provider key, but the Bundle names another institution as issuer.
  DemoPrescription p;
  p.issuerUscc = "91350100M000100Y43";
  auto foreign = ErxVerifier(*session_).evaluate(signedRx(p), kNow);
  RX_ASSERT_OK(foreign);
  EXPECT_TRUE(foreign->signatureValid);
  EXPECT_FALSE(foreign->issuerMatchesAgreement);
  EXPECT_FALSE(foreign->accepted());

  crypto::SigningKey stranger = crypto::SigningKey::generate(crypto::KeyType::kSm2);
  auto text = signEPrescription(demoBundle({}), stranger, "2026-11-22T08:00:00Z");
  auto rx = parseEPrescription(*text, "stranger.json");
  RX_ASSERT_OK(rx);
  auto verdict = ErxVerifier(*session_).evaluate(*rx, kNow);
  RX_ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->accepted());
  EXPECT_FALSE(verdict->agreementNo);
  EXPECT_NE(verdict->agreementDetail.find("no agreement pins"), std::string::npos);
}

TEST_P(AgreementRules, VerificationIsRecordedAndAudited) {
  RX_ASSERT_OK(AgreementService(*session_).import(signedAgreement(), "ag"));
  auto verdict = ErxVerifier(*session_).verifyAndRecord(signedRx());
  RX_ASSERT_OK(verdict);
  auto records =
      data::AgreementRepository(session_->store().connection()).verificationsOf("RX20261122-0001");
  RX_ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_TRUE(records->at(0).accepted);
  EXPECT_EQ(records->at(0).verifiedBy, "admin");
  EXPECT_EQ(records->at(0).verdictJson.find("张三"), std::string::npos)
      << "no patient data in the verdict";
  auto report = session_->verifyAudit();
  RX_ASSERT_OK(report);
  EXPECT_FALSE(report->problem);
}

TEST_P(AgreementRules, PaperCopyQrTiesToTheEPrescription) {
  RX_ASSERT_OK(AgreementService(*session_).import(signedAgreement(), "ag"));
  const EPrescription rx = signedRx();
  auto payload = makeRxQr(rx, provider_, "2026-11-22T08:00:00Z");
  RX_ASSERT_OK(payload);
  EXPECT_LT(payload->size(), 400u) << "must fit a QR code a phone camera reads";
  auto qr = parseRxQr(*payload);
  RX_ASSERT_OK(qr);
  EXPECT_EQ(qr->rxNumber, rx.rxNumber);
  EXPECT_EQ(qr->issueDate, "2026-11-22");
  auto verdict = ErxVerifier(*session_).evaluateQr(*qr, kNow);
  RX_ASSERT_OK(verdict);
  EXPECT_TRUE(verdict->accepted()) << verdict->toJson().dump(2);

  // A forged QR: another prescription number under the same signature.
  std::string forged = *payload;
  auto dot1 = forged.find('.'), dot2 = forged.find('.', dot1 + 1);
  json body = json::parse(qr->jws.payload);
  body["no"] = "RX20261122-9999";
  std::string b = body.dump();
  forged =
      forged.substr(0, dot1 + 1) + crypto::toBase64Url(crypto::toBytes(b)) + forged.substr(dot2);
  auto forgedQr = parseRxQr(forged);
  RX_ASSERT_OK(forgedQr);
  EXPECT_FALSE(ErxVerifier(*session_).evaluateQr(*forgedQr, kNow)->signatureValid);
}

TEST(EPrescriptionParsing, ErrorsNameTheField) {
  crypto::SigningKey key = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  auto valid = json::parse(*signEPrescription(demoBundle({}), key, "2026-11-22T08:00:00Z"));
  struct Case {
    std::function<void(json&)> change;
    const char* mention;
  } cases[] = {
      {[](json& b) { b["resourceType"] = "Patient"; }, "resourceType"},
      {[](json& b) { b["entry"].erase(0); }, "exactly one Patient"},
      {[](json& b) { b["entry"][3]["resource"]["dispenseRequest"]["quantity"]["value"] = "two"; },
       "entry[3].resource.dispenseRequest.quantity.value"},
      {[](json& b) { b["entry"][3]["resource"]["subject"]["reference"] = "urn:uuid:nobody"; },
       "subject.reference"},
      {[](json& b) { b["entry"][2]["resource"]["identifier"][0]["value"] = "123"; },
       "统一社会信用代码"},
      {[](json& b) { b["timestamp"] = "22/11/2026"; }, "timestamp"},
      {[](json& b) { b["signature"]["sigFormat"] = "application/pkcs7"; }, "sigFormat"},
      {[](json& b) { b.erase("signature"); }, "signature"},
      {[](json& b) { b["entry"][0]["resource"]["resourceType"] = "Observation"; }, "Observation"},
  };
  for (const auto& c : cases) {
    json b = valid;
    c.change(b);
    auto r = parseEPrescription(b.dump(), "rx-in.json");
    ASSERT_FALSE(r) << c.mention;
    EXPECT_NE(r.status().message().find(c.mention), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("rx-in.json"), std::string::npos) << r.status().message();
  }
  auto dup = parseEPrescription(R"({"resourceType":"Bundle","resourceType":"Bundle"})", "dup.json");
  EXPECT_NE(dup.status().message().find("duplicate key"), std::string::npos);
  auto huge = parseEPrescription(std::string(kMaxErxBytes + 1, ' '), "huge.json");
  EXPECT_NE(huge.status().message().find("bytes allowed"), std::string::npos);
}

TEST(Identifiers, UsccCheckCharacter) {
  EXPECT_TRUE(isValidUscc("91350100M000100Y43"));  // the example of GB 32100-2015
  EXPECT_TRUE(isValidUscc(kProviderUscc));
  EXPECT_FALSE(isValidUscc("91350100M000100Y44"));
  EXPECT_FALSE(isValidUscc("91350100M000100Y4"));
  EXPECT_FALSE(isValidUscc("91350100I000100Y43"));  // I is not in the alphabet
}

}  // namespace
}  // namespace rx::ws

namespace rx::ws {
namespace {

// The examples in docs/ were made by rxdesk-cli; they must stay valid as the code changes.
TEST(DocumentedExamples, ParseAndVerify) {
  const std::string dir = std::string(RXDESK_SOURCE_DIR) + "/docs/examples/";
  auto agreementText = data::readWholeFile(dir + "agreement-signed.json");
  RX_ASSERT_OK(agreementText);
  auto agreement = parseAgreement(*agreementText, "agreement-signed.json");
  RX_ASSERT_OK(agreement);
  auto rxText = data::readWholeFile(dir + "eprescription-signed.json");
  RX_ASSERT_OK(rxText);
  auto rx = parseEPrescription(*rxText, "eprescription-signed.json");
  RX_ASSERT_OK(rx);
  RX_EXPECT_OK(crypto::verifyDetached(rx->signature, agreement->keys.at(0), rx->signedPayload));
  auto qrText = data::readWholeFile(dir + "eprescription.qr");
  RX_ASSERT_OK(qrText);
  auto qr = parseRxQr(qrText->substr(0, qrText->find('\n')));
  RX_ASSERT_OK(qr);
  EXPECT_EQ(qr->rxNumber, rx->rxNumber);
  RX_EXPECT_OK(crypto::verifyDetached(qr->jws, agreement->keys.at(0), qr->jws.payload));
  auto unsignedText = data::readWholeFile(dir + "eprescription-unsigned.json");
  RX_ASSERT_OK(unsignedText);
  EXPECT_NE(
      parseEPrescription(*unsignedText, "unsigned.json").status().message().find("'signature'"),
      std::string::npos);
}

TEST(AgreementParser, MembersOfTheWrongTypeAreRefusedNotThrown) {
  // Found by fuzz_agreement: "type" as a number threw out of nlohmann's value().
  for (const char* text : {R"({"type":5})", R"({"type":"rxdesk-provider-agreement","version":1,
      "agreement_no":[1]})",
                           R"({"type":null,"version":"1"})"}) {
    auto a = parseAgreement(text, "odd.json");
    ASSERT_FALSE(a) << text;
    EXPECT_EQ(a.status().code(), ErrorCode::kInvalidArgument) << a.status().message();
  }
}

}  // namespace
}  // namespace rx::ws
