#include "workstation/settings.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/text.h"
#include "base/time.h"
#include "data/files.h"
#include "dedup/traceability.h"
#include "workstation/csv.h"
#include "workstation/identifiers.h"

namespace rx::ws {

using nlohmann::json;

const std::vector<SettingSpec>& settingSpecs() {
  static const std::vector<SettingSpec> specs = {
      {"pharmacy.name", SettingKind::kText, "", 0, 0, "药店名称 The pharmacy's name on vouchers"},
      {"pharmacy.uscc", SettingKind::kUscc, "", 0, 0,
       "统一社会信用代码 The pharmacy's unified social credit code"},
      {"pharmacy.licence", SettingKind::kText, "", 0, 0,
       "药品经营许可证编号 The pharmacy's drug trading licence number"},
      {"review.max_quantity_per_item", SettingKind::kNumber, "5", 1, 1000,
       "Supply limit per drug line (packages); more is flagged at review"},
      {"review.second_pharmacist_check", SettingKind::kBool, "false", 0, 0,
       "The check (核对) must be done by another pharmacist than the one who prepared"},
      {"review.lock_minutes", SettingKind::kInteger, "30", 1, 1440,
       "A review left open this long may be taken over by another pharmacist"},
      {"review.low_confidence", SettingKind::kNumber, "0.8", 0, 1,
       "OCR fields read with less confidence than this must be confirmed"},
      {"session.idle_lock_minutes", SettingKind::kInteger, "5", 1, 240,
       "The workstation locks after this many idle minutes"},
      {"backup.folder", SettingKind::kText, "", 0, 0,
       "Folder for the daily backup (e.g. a USB disk); empty: no scheduled backup"},
      {"backup.warn_after_days", SettingKind::kInteger, "2", 1, 365,
       "Warn when the last backup is older than this many days"},
      {"intake.watch_folder", SettingKind::kText, "", 0, 0,
       "Folder watched for new photos and e-prescriptions (a scanner's or a phone's sync folder), "
       "taken in as they arrive; empty: none"},
      {"chain.offline_handout", SettingKind::kBool, "true", 0, 0,
       "While the chain registry cannot be reached, hand out anyway (with a warning, audited); "
       "false: refuse until it is back"},
      {"chain.copy_days", SettingKind::kInteger, "30", 1, 3650,
       "Days of the chain's presentations kept here for offline reuse detection"},
  };
  return specs;
}

namespace {

const SettingSpec* findSpec(std::string_view key) {
  for (const auto& s : settingSpecs())
    if (s.key == key) return &s;
  return nullptr;
}

std::string knownKeys() {
  std::string out;
  for (const auto& s : settingSpecs()) out += (out.empty() ? "" : ", ") + std::string(s.key);
  return out;
}

// Returns the value in its stored form ("true"/"false", a plain number) or an error naming the
// setting and what it expects.
Result<std::string> normalize(const SettingSpec& spec, const std::string& value) {
  // Checked first: the messages below quote the value.
  RX_RETURN_IF_ERROR(checkText("setting " + std::string(spec.key), value, 256));
  const std::string what = "setting " + std::string(spec.key) + ": '" + value + "' ";
  switch (spec.kind) {
    case SettingKind::kBool:
      if (value == "true" || value == "yes" || value == "on" || value == "1")
        return std::string("true");
      if (value == "false" || value == "no" || value == "off" || value == "0")
        return std::string("false");
      return Status(ErrorCode::kInvalidArgument, what + "is not true or false");
    case SettingKind::kInteger:
    case SettingKind::kNumber: {
      double v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v) ||
          (spec.kind == SettingKind::kInteger && v != std::floor(v)))
        return Status(ErrorCode::kInvalidArgument,
                      what + (spec.kind == SettingKind::kInteger ? "is not a whole number"
                                                                 : "is not a number"));
      if (v < spec.min || v > spec.max) {
        auto fmt = [](double d) {
          std::string s = std::to_string(d);
          s.erase(s.find_last_not_of('0') + 1);
          if (s.back() == '.') s.pop_back();
          return s;
        };
        return Status(ErrorCode::kInvalidArgument,
                      what + "is outside " + fmt(spec.min) + "…" + fmt(spec.max));
      }
      return value;
    }
    case SettingKind::kUscc:
      if (!value.empty() && !isValidUscc(value))
        return Status(
            ErrorCode::kInvalidArgument,
            what + "is not an 18-character 统一社会信用代码 with a valid check character");
      return value;
    case SettingKind::kText:
      return value;
  }
  return value;
}

}  // namespace

Result<std::vector<SettingValue>> SettingsService::list() {
  RX_ASSIGN_OR_RETURN(auto rows, data::SettingsRepository(session_.store().connection()).all());
  std::vector<SettingValue> out;
  for (const auto& spec : settingSpecs()) {
    SettingValue v{std::string(spec.key), std::string(spec.defaultValue), true, "", "",
                   spec.meaning};
    auto it =
        std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.key == spec.key; });
    if (it != rows.end()) {
      v.value = it->value;
      v.isDefault = false;
      v.changedBy = it->changedBy;
      v.changedAt = it->changedAt;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<SettingValue> SettingsService::get(std::string_view key) {
  RX_ASSIGN_OR_RETURN(auto all, list());
  for (auto& v : all)
    if (v.key == key) return v;
  return Status(ErrorCode::kNotFound,
                "there is no setting '" + std::string(key) + "'; known: " + knownKeys());
}

Status SettingsService::set(std::string_view key, const std::string& value) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kAdmin, "change settings"));
  const SettingSpec* spec = findSpec(key);
  if (!spec)
    return Status(ErrorCode::kInvalidArgument,
                  "there is no setting '" + std::string(key) + "'; known: " + knownKeys());
  RX_ASSIGN_OR_RETURN(std::string stored, normalize(*spec, value));
  RX_ASSIGN_OR_RETURN(SettingValue old, get(key));
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(data::SettingsRepository(conn).put(
      {std::string(key), stored, session_.user().name, utcTimestamp()}));
  RX_RETURN_IF_ERROR(
      session_.audit("settings.set", std::string(key), {{"from", old.value}, {"to", stored}})
          .status());
  return tx.commit();
}

Status SettingsService::setAll(const std::vector<std::pair<std::string, std::string>>& values) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kAdmin, "change settings"));
  data::Transaction tx(session_.store().connection());
  RX_RETURN_IF_ERROR(tx.beginStatus());
  for (const auto& [key, value] : values) RX_RETURN_IF_ERROR(set(key, value));
  return tx.commit();
}

Result<ReviewSettings> SettingsService::review() {
  RX_ASSIGN_OR_RETURN(auto all, list());
  auto value = [&](std::string_view key) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& v) { return v.key == key; });
    return it == all.end() ? std::string() : it->value;
  };
  ReviewSettings s;
  s.maxQuantityPerItem = std::stod(value("review.max_quantity_per_item"));
  s.secondPharmacistCheck = value("review.second_pharmacist_check") == "true";
  s.reviewLockMinutes = std::stoi(value("review.lock_minutes"));
  s.lowConfidence = std::stod(value("review.low_confidence"));
  return s;
}

Result<PharmacyProfile> SettingsService::pharmacy() {
  PharmacyProfile p;
  RX_ASSIGN_OR_RETURN(auto name, get("pharmacy.name"));
  RX_ASSIGN_OR_RETURN(auto uscc, get("pharmacy.uscc"));
  RX_ASSIGN_OR_RETURN(auto licence, get("pharmacy.licence"));
  return PharmacyProfile{name.value, uscc.value, licence.value};
}

Result<std::int64_t> parseYuan(std::string_view text) {
  auto bad = [&] {
    return Status(ErrorCode::kInvalidArgument,
                  "price '" + std::string(text) + "' is not an amount in yuan like 12.50");
  };
  const auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || frac.size() > 2 ||
      (dot != std::string_view::npos && frac.empty()))
    return bad();
  std::int64_t fen = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return bad();
    fen = fen * 10 + (c - '0');
  }
  fen *= 100;
  int scale = 10;
  for (char c : frac) {
    if (c < '0' || c > '9') return bad();
    fen += (c - '0') * scale;
    scale /= 10;
  }
  return fen;
}

std::string formatYuan(std::int64_t fen) {
  std::string cents = std::to_string(fen % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return std::to_string(fen / 100) + "." + cents;
}

Status ProductService::validate(const data::ProductRecord& p, const std::string& where) const {
  auto bad = [&](const std::string& what) {
    return Status(ErrorCode::kInvalidArgument, where + what);
  };
  const bool digits =
      !p.productCode.empty() && std::all_of(p.productCode.begin(), p.productCode.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || (p.productCode.size() != 7 && p.productCode.size() != 14))
    return bad("product_code '" + p.productCode +
               "' is not the 7-digit product part of a 药品追溯码 or a 14-digit GTIN");
  if (p.productCode.size() == 14 && !dedup::gtinCheckDigitValid(p.productCode))
    return bad("product_code '" + p.productCode + "' has a wrong GTIN check digit");
  for (auto [name, value] : {std::pair<const char*, const std::string*>{"drug_name", &p.drugName},
                             {"manufacturer", &p.manufacturer},
                             {"unit", &p.unit}})
    if (value->empty()) return bad(std::string(name) + " is empty");
  for (auto [name, value] : {std::pair<const char*, const std::string*>{"drug_name", &p.drugName},
                             {"spec", &p.spec},
                             {"manufacturer", &p.manufacturer},
                             {"unit", &p.unit}})
    if (Status st = checkText(name, *value, kMaxShortText); !st) return bad(st.message());
  return Status();
}

Status ProductService::put(data::ProductRecord p) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin},
                                           "change the product list"));
  RX_RETURN_IF_ERROR(validate(p, ""));
  p.updatedBy = session_.user().name;
  p.updatedAt = utcTimestamp();
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(data::ProductRepository(conn).put(p));
  RX_RETURN_IF_ERROR(session_
                         .audit("product.put", p.productCode,
                                {{"drug_name", p.drugName}, {"price_fen", p.priceFen}})
                         .status());
  return tx.commit();
}

Result<int> ProductService::importCsv(const std::string& path) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin},
                                           "change the product list"));
  RX_ASSIGN_OR_RETURN(std::string text, data::readWholeFile(path, 8u << 20));
  if (text.rfind(kUtf8Bom, 0) == 0) text.erase(0, 3);
  std::size_t pos = 0;
  const std::vector<std::string> header = csvRecord(text, pos);
  const std::vector<std::string> want = {"product_code", "drug_name", "spec",
                                         "manufacturer", "unit",      "price_yuan"};
  if (header.size() < want.size() || !std::equal(want.begin(), want.end(), header.begin()) ||
      (header.size() == 7 && header[6] != "approval_no") || header.size() > 7)
    return Status(ErrorCode::kInvalidArgument,
                  path +
                      ": line 1 must be the header "
                      "product_code,drug_name,spec,manufacturer,unit,price_yuan[,approval_no]");
  const std::string now = utcTimestamp();
  std::vector<data::ProductRecord> products;
  for (int line = 2; pos < text.size(); ++line) {
    auto f = csvRecord(text, pos);
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    const std::string where = path + ": line " + std::to_string(line) + ": ";
    if (f.size() != header.size())
      return Status(ErrorCode::kInvalidArgument, where + "has " + std::to_string(f.size()) +
                                                     " columns, the header " +
                                                     std::to_string(header.size()));
    data::ProductRecord p{f[0], f[1], f[2], f[3], f[4], 0, std::nullopt, session_.user().name, now};
    auto price = parseYuan(f[5]);
    if (!price)
      return Status(ErrorCode::kInvalidArgument, where + "price_yuan: " + price.status().message());
    p.priceFen = *price;
    if (f.size() == 7 && !f[6].empty()) p.approvalNo = f[6];
    RX_RETURN_IF_ERROR(validate(p, where));
    products.push_back(std::move(p));
  }
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  data::ProductRepository repo(conn);
  for (const auto& p : products) RX_RETURN_IF_ERROR(repo.put(p));
  RX_RETURN_IF_ERROR(
      session_.audit("product.import", path, {{"products", products.size()}}).status());
  RX_RETURN_IF_ERROR(tx.commit());
  return static_cast<int>(products.size());
}

Result<std::vector<data::ProductRecord>> ProductService::list() {
  return data::ProductRepository(session_.store().connection()).list();
}

Result<std::optional<data::ProductRecord>> ProductService::find(const std::string& productCode) {
  return data::ProductRepository(session_.store().connection()).find(productCode);
}

Result<ReviewSettings> reviewSettings(Session& session,
                                      const std::optional<ReviewSettings>& fixed) {
  if (fixed) return *fixed;
  return SettingsService(session).review();
}

}  // namespace rx::ws
