// settings, product and voucher: what an admin sets, what a supervisor lists as products, and
// the sales voucher of a hand-out.
#include <iostream>
#include <sstream>

#include "base/time.h"
#include "commands.h"
#include "workstation/settings.h"
#include "workstation/voucher.h"

namespace rx::cli {

using nlohmann::json;

namespace {

void addSettingsCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // settings [list] | settings get KEY | settings set KEY VALUE
  auto* settings =
      app.add_subcommand("settings", "Show or change the workstation's settings (set: admin)");
  settings->require_subcommand(1);
  auto* list = settings->add_subcommand("list", "Every setting, its value and meaning");
  out.push_back({list, [&g] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto all = ws::SettingsService(**session).list();
                   if (!all) return reportError(g, all.status());
                   json arr = json::array();
                   std::ostringstream text;
                   for (const auto& v : *all) {
                     arr.push_back({{"key", v.key},
                                    {"value", v.value},
                                    {"default", v.isDefault},
                                    {"changed_by", v.isDefault ? json(nullptr) : json(v.changedBy)},
                                    {"changed_at", v.isDefault ? json(nullptr) : json(v.changedAt)},
                                    {"meaning", v.meaning}});
                     text << v.key << " = " << (v.value.empty() ? "(empty)" : v.value)
                          << (v.isDefault ? "  (default)" : "  (set by " + v.changedBy + ")")
                          << "\n    " << v.meaning << "\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"settings", arr}}, text.str());
                 }});
  auto* get = settings->add_subcommand("get", "One setting's value");
  auto getKey = std::make_shared<std::string>();
  get->add_option("key", *getKey, "Setting name, e.g. review.second_pharmacist_check")->required();
  out.push_back({get, [&g, getKey] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto v = ws::SettingsService(**session).get(*getKey);
                   if (!v) return reportError(g, v.status());
                   return reportSuccess(g, {{"ok", true}, {"key", v->key}, {"value", v->value}},
                                        v->value + "\n");
                 }});
  auto* set = settings->add_subcommand("set", "Change a setting (admin; audited)");
  auto setArgs = std::make_shared<std::pair<std::string, std::string>>();
  set->add_option("key", setArgs->first, "Setting name")->required();
  set->add_option("value", setArgs->second, "New value")->required();
  out.push_back({set, [&g, setArgs] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   ws::SettingsService service(**session);
                   if (Status s = service.set(setArgs->first, setArgs->second); !s)
                     return reportError(g, s);
                   auto v = service.get(setArgs->first);
                   if (!v) return reportError(g, v.status());
                   return reportSuccess(g, {{"ok", true}, {"key", v->key}, {"value", v->value}},
                                        v->key + " = " + v->value + "\n");
                 }});
}

void addProductCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  // product add | import FILE.csv | list
  auto* product = app.add_subcommand(
      "product", "The pharmacy's product list: what a package code is, maker and price");
  product->require_subcommand(1);
  auto* add = product->add_subcommand("add", "Add or replace one product (supervisor, admin)");
  struct ProductArgs {
    std::string code, drug, spec, manufacturer, unit = "盒", price, approval;
  };
  auto pa = std::make_shared<ProductArgs>();
  add->add_option("--code", pa->code, "7-digit 药品追溯码 product part or 14-digit GTIN")
      ->required();
  add->add_option("--drug", pa->drug, "Generic name as prescriptions write it")->required();
  add->add_option("--spec", pa->spec, "Specification, e.g. 0.25g×24粒");
  add->add_option("--manufacturer", pa->manufacturer, "生产企业")->required();
  add->add_option("--unit", pa->unit, "Sales unit one package is (default 盒)");
  add->add_option("--price", pa->price, "Price of one package in yuan, e.g. 12.50")->required();
  add->add_option("--approval", pa->approval, "国药准字 approval number");
  out.push_back({add, [&g, pa] {
                   auto price = ws::parseYuan(pa->price);
                   if (!price) return reportError(g, price.status().withContext("--price"));
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   data::ProductRecord p;
                   p.productCode = pa->code;
                   p.drugName = pa->drug;
                   p.spec = pa->spec;
                   p.manufacturer = pa->manufacturer;
                   p.unit = pa->unit;
                   p.priceFen = *price;
                   if (!pa->approval.empty()) p.approvalNo = pa->approval;
                   if (Status s = ws::ProductService(**session).put(p); !s)
                     return reportError(g, s);
                   return reportSuccess(g, {{"ok", true}, {"product_code", pa->code}},
                                        "Product " + pa->code + " (" + pa->drug + ") saved.\n");
                 }});
  auto* import = product->add_subcommand(
      "import", "Add or replace products from a CSV file, all rows or none (supervisor, admin)");
  auto csvPath = std::make_shared<std::string>();
  import
      ->add_option("file", *csvPath,
                   "CSV: product_code,drug_name,spec,manufacturer,unit,price_yuan[,approval_no]")
      ->required();
  out.push_back({import, [&g, csvPath] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto n = ws::ProductService(**session).importCsv(*csvPath);
                   if (!n) return reportError(g, n.status());
                   return reportSuccess(
                       g, {{"ok", true}, {"products", *n}},
                       std::to_string(*n) + " product(s) imported from " + *csvPath + ".\n");
                 }});
  auto* plist = product->add_subcommand("list", "The product list");
  out.push_back(
      {plist, [&g] {
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         auto all = ws::ProductService(**session).list();
         if (!all) return reportError(g, all.status());
         json arr = json::array();
         std::ostringstream text;
         for (const auto& p : *all) {
           arr.push_back({{"product_code", p.productCode},
                          {"drug_name", p.drugName},
                          {"spec", p.spec},
                          {"manufacturer", p.manufacturer},
                          {"unit", p.unit},
                          {"price", ws::formatYuan(p.priceFen)},
                          {"approval_no", p.approvalNo ? json(*p.approvalNo) : json(nullptr)}});
           text << p.productCode << "\t" << p.drugName << "\t" << p.spec << "\t" << p.manufacturer
                << "\t" << ws::formatYuan(p.priceFen) << "/" << p.unit << "\n";
         }
         text << all->size() << " product(s).\n";
         return reportSuccess(g, {{"ok", true}, {"products", arr}}, text.str());
       }});
}

void addVoucherCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // voucher ID [--hand-out N] [--pdf FILE]
  auto* voucher = app.add_subcommand(
      "voucher", "The sales voucher of a hand-out (销售凭证): JSON or text, and as PDF");
  struct VoucherArgs {
    std::int64_t id = 0;
    int handOut = 0;
    std::string pdf;
    bool print = false;
    std::string printer;
  };
  auto va = std::make_shared<VoucherArgs>();
  voucher->add_option("id", va->id, "Prescription record number")->required();
  voucher->add_option("--hand-out", va->handOut,
                      "Which hand-out of a partial dispensing (1, 2, ...; default the latest)");
  voucher->add_option("--pdf", va->pdf, "Write the voucher as PDF to this file");
  voucher->add_flag("--print", va->print, "Print it with CUPS (lp), on the default printer");
  voucher->add_option("--printer", va->printer, "Print it on this CUPS printer instead");
  out.push_back({voucher, [&g, va] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto v = ws::VoucherService(**session).voucher(va->id, va->handOut);
                   if (!v) return reportError(g, v.status());
                   if (!va->pdf.empty())
                     if (Status s = ws::writeVoucherPdf(*v, va->pdf); !s)
                       return reportError(g, s.withContext(va->pdf));
                   if (va->print || !va->printer.empty())
                     if (Status s = ws::printVoucher(*v, va->printer); !s) return reportError(g, s);
                   json doc = ws::voucherJson(*v);
                   std::ostringstream text;
                   text << "销售凭证 " << v->number << "  " << chinaTime(v->soldAt)
                        << (v->partial ? "  (部分发药 partial)" : "") << "\n";
                   for (const auto& l : v->lines)
                     text << "  " << l.drugName << " " << l.spec << "  " << l.manufacturer
                          << "  批号 " << l.batch.value_or("-") << "  " << l.quantity << " "
                          << l.unit << " × " << ws::formatYuan(l.unitPriceFen) << " = "
                          << ws::formatYuan(l.amountFen) << "\n";
                   text << "  合计 " << ws::formatYuan(v->totalFen) << " 元\n";
                   if (!va->pdf.empty()) text << "PDF written to " << va->pdf << ".\n";
                   if (va->print || !va->printer.empty()) text << "Sent to the printer.\n";
                   return reportSuccess(g, {{"ok", true}, {"voucher", doc}}, text.str());
                 }});
}

}  // namespace

void addDispensingCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addSettingsCommand(app, g, out);
  addProductCommands(app, g, out);
  addVoucherCommand(app, g, out);
}

}  // namespace rx::cli
