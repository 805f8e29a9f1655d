// The settings an admin changes at run time (pharmacy identity, review and dispensing rules, the
// idle lock, backups), each with its type, default, limits and meaning; and the pharmacy's
// product list, which says what a scanned package is, who makes it and what it costs (the lines of
// the sales voucher, G16). Changes are audited; the values hold no personal data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/settings.h"
#include "workstation/rules.h"
#include "workstation/session.h"

namespace rx::ws {

enum class SettingKind { kBool, kInteger, kNumber, kText, kUscc };

struct SettingSpec {
  std::string_view key;
  SettingKind kind;
  std::string_view defaultValue;
  double min = 0, max = 0;  // kInteger, kNumber
  std::string_view meaning;
};
// Every setting rxdesk knows, in the order they are listed.
const std::vector<SettingSpec>& settingSpecs();

struct SettingValue {
  std::string key;
  std::string value;
  bool isDefault = true;
  std::string changedBy, changedAt;  // empty for defaults
  std::string_view meaning;
};

// Who the pharmacy is, as its vouchers and exports print it.
struct PharmacyProfile {
  std::string name;     // 药店名称
  std::string uscc;     // 统一社会信用代码
  std::string licence;  // 药品经营许可证编号
};

class SettingsService {
 public:
  explicit SettingsService(Session& session) : session_(session) {}
  // Every setting with its current value; any signed-in user may read them.
  Result<std::vector<SettingValue>> list();
  Result<SettingValue> get(std::string_view key);
  // Admins only. Refuses unknown keys and values outside the setting's type or limits, naming
  // what was expected; audited `settings.set` with the old and new value.
  Status set(std::string_view key, const std::string& value);
  // Sets several at once, all or none (the settings form): the first refusal is returned with
  // nothing changed.
  Status setAll(const std::vector<std::pair<std::string, std::string>>& values);

  Result<ReviewSettings> review();
  Result<PharmacyProfile> pharmacy();

 private:
  Session& session_;
};

// Parses a price in yuan ("12", "12.5", "12.50") into fen, exactly; refuses anything else.
Result<std::int64_t> parseYuan(std::string_view text);
// 1250 -> "12.50"
std::string formatYuan(std::int64_t fen);

class ProductService {
 public:
  explicit ProductService(Session& session) : session_(session) {}
  // Supervisors and admins. The code is a 7-digit 药品追溯码 product part or a 14-digit GTIN with
  // a valid check digit; every text field is required except the approval number. Audited.
  Status put(data::ProductRecord p);
  // Imports a CSV (UTF-8, optional BOM, header
  // `product_code,drug_name,spec,manufacturer,unit,price_yuan[,approval_no]`): all rows or none;
  // an error names the line and the column. Returns how many products were added or replaced.
  Result<int> importCsv(const std::string& path);
  Result<std::vector<data::ProductRecord>> list();
  Result<std::optional<data::ProductRecord>> find(const std::string& productCode);

 private:
  Status validate(const data::ProductRecord& p, const std::string& where) const;
  Session& session_;
};

// The review settings a service works with: `fixed` when its caller pinned them (tests), else the
// store's as they are now (an admin's change applies at once).
Result<ReviewSettings> reviewSettings(Session& session, const std::optional<ReviewSettings>& fixed);

}  // namespace rx::ws
