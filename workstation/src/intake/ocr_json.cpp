#include "workstation/ocr_json.h"

#include <cmath>

#include "base/utf8.h"
#include "workstation/eprescription.h"

namespace rx::ws {

using nlohmann::json;

namespace {
double round2(double v) { return std::round(v * 100) / 100; }

json fieldJson(const ocr::FieldValue& f) {
  json j = {{"value", f.value},
            {"confidence", round2(f.confidence)},
            {"box", {f.box.x, f.box.y, f.box.width, f.box.height}}};
  if (f.readAs) j["read_as"] = *f.readAs;
  return j;
}
}  // namespace

json ocrResultJson(const std::string& input, const ocr::ReadResult& r) {
  json fields = json::object();
  for (const char* name : ocr::kFieldNames) {
    auto it = r.fields.fields.find(name);
    fields[name] = it == r.fields.fields.end() ? json(nullptr) : fieldJson(it->second);
  }
  json drugs = json::array();
  for (const auto& d : r.fields.drugs) {
    json j = {{"name", fieldJson(d.name)},
              {"spec", fieldJson(d.spec)},
              {"quantity", fieldJson(d.quantity)},
              {"unit", fieldJson(d.unit)},
              {"usage", fieldJson(d.usage)},
              {"class", d.drugClass.empty() ? json(nullptr) : json(d.drugClass)},
              {"ephedrine", d.ephedrine}};
    j["read_as"] = d.readAs ? json(*d.readAs) : json(nullptr);
    drugs.push_back(std::move(j));
  }
  json corners = json::array();
  for (const auto& c : r.page.corners) corners.push_back({std::lround(c.x), std::lround(c.y)});
  json qr = json::array();
  for (const auto& payload : r.qrPayloads) {
    json q = {{"payload", payload}, {"rx", nullptr}};
    if (auto parsed = parseRxQr(payload))
      q["rx"] = {{"iss", parsed->issuerUscc},
                 {"no", parsed->rxNumber},
                 {"date", parsed->issueDate},
                 {"kid", parsed->jws.header.keyId}};
    qr.push_back(std::move(q));
  }
  return {{"input", utf8OrEscaped(input)},
          {"ok", true},
          {"photo", {{"width", r.width}, {"height", r.height}}},
          {"page",
           {{"found", r.page.pageFound},
            {"other_outline", r.page.otherOutline},
            {"corners", corners},
            {"rotation", r.page.rotation},
            {"width", r.page.gray.cols},
            {"height", r.page.gray.rows}}},
          {"fields", fields},
          {"drugs", drugs},
          {"qr", qr},
          {"ms",
           {{"decode", std::lround(r.ms.decode)},
            {"page", std::lround(r.ms.page)},
            {"recognize", std::lround(r.ms.recognize)},
            {"fields", std::lround(r.ms.fields)},
            {"qr", std::lround(r.ms.qr)},
            {"total", std::lround(r.ms.total)}}}};
}

}  // namespace rx::ws
