#include "data/settings.h"

namespace rx::data {

Result<std::optional<SettingRow>> SettingsRepository::get(const std::string& key) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT key, value, changed_by, changed_at FROM settings WHERE key = ?"));
  st.bind(1, key);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<SettingRow>();
  return std::optional<SettingRow>(
      SettingRow{st.columnText(0), st.columnText(1), st.columnText(2), st.columnText(3)});
}

Result<std::vector<SettingRow>> SettingsRepository::all() {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT key, value, changed_by, changed_at FROM settings ORDER BY key"));
  return st.collect([](const Statement& s) -> SettingRow {
    return {s.columnText(0), s.columnText(1), s.columnText(2), s.columnText(3)};
  });
}

Status SettingsRepository::put(const SettingRow& row) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT OR REPLACE INTO settings(key, value, changed_by, "
                                    "changed_at) VALUES (?, ?, ?, ?)"));
  return st.bind(1, row.key).bind(2, row.value).bind(3, row.changedBy).bind(4, row.changedAt).run();
}

namespace {
constexpr std::string_view kProductColumns =
    "product_code, drug_name, spec, manufacturer, unit, price_fen, approval_no, updated_by, "
    "updated_at";
ProductRecord readProduct(const Statement& s) {
  return {s.columnText(0),         s.columnText(1), s.columnText(2),
          s.columnText(3),         s.columnText(4), s.columnInt(5),
          s.columnOptionalText(6), s.columnText(7), s.columnText(8)};
}
}  // namespace

Result<std::optional<ProductRecord>> ProductRepository::find(const std::string& productCode) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kProductColumns) +
                                                  " FROM products WHERE product_code = ?"));
  st.bind(1, productCode);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<ProductRecord>();
  return std::optional<ProductRecord>(readProduct(st));
}

Result<std::vector<ProductRecord>> ProductRepository::list() {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT " + std::string(kProductColumns) +
                                    " FROM products ORDER BY drug_name, product_code"));
  return st.collect(readProduct);
}

Status ProductRepository::put(const ProductRecord& p) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("INSERT OR REPLACE INTO products(" +
                                                  std::string(kProductColumns) +
                                                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return st.bind(1, p.productCode)
      .bind(2, p.drugName)
      .bind(3, p.spec)
      .bind(4, p.manufacturer)
      .bind(5, p.unit)
      .bind(6, p.priceFen)
      .bind(7, p.approvalNo)
      .bind(8, p.updatedBy)
      .bind(9, p.updatedAt)
      .run();
}

}  // namespace rx::data
