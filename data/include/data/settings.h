// Storage of the settings an admin changes (what they mean and their checks live in the
// workstation layer) and of the pharmacy's product list: what a scanned package is, who makes it
// and what it costs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct SettingRow {
  std::string key;
  std::string value;
  std::string changedBy;
  std::string changedAt;
};

class SettingsRepository {
 public:
  explicit SettingsRepository(Connection& conn) : conn_(conn) {}
  Result<std::optional<SettingRow>> get(const std::string& key);
  Result<std::vector<SettingRow>> all();
  // Inserts or replaces the value of `row.key`.
  Status put(const SettingRow& row);

 private:
  Connection& conn_;
};

struct ProductRecord {
  std::string productCode;  // 药品追溯码 product part (7 digits) or GS1 GTIN-14
  std::string drugName;     // generic name, as prescriptions write it
  std::string spec;         // e.g. 0.25g×24粒
  std::string manufacturer;
  std::string unit;  // the sales unit one package is: 盒, 瓶, 支
  std::int64_t priceFen = 0;
  std::optional<std::string> approvalNo;  // 国药准字
  std::string updatedBy;
  std::string updatedAt;
};

class ProductRepository {
 public:
  explicit ProductRepository(Connection& conn) : conn_(conn) {}
  Result<std::optional<ProductRecord>> find(const std::string& productCode);
  Result<std::vector<ProductRecord>> list();
  // Inserts or replaces the product with `p.productCode`.
  Status put(const ProductRecord& p);

 private:
  Connection& conn_;
};

}  // namespace rx::data
