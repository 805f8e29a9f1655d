#include "workstation/read_fields.h"

#include <algorithm>

namespace rx::ws {

using nlohmann::json;

namespace {
constexpr std::string_view kKeys[] = {"hospital",  "rx_number", "date",          "patient_name",
                                      "sex",       "age",       "outpatient_id", "department",
                                      "diagnosis", "doctor",    "amount"};
static_assert(std::size(kKeys) == std::size(kAllFields));
}  // namespace

std::string_view fieldKey(FieldName f) { return kKeys[static_cast<std::size_t>(f)]; }

std::optional<FieldName> fieldNamed(std::string_view key) {
  for (FieldName f : kAllFields)
    if (fieldKey(f) == key) return f;
  return std::nullopt;
}

ReadFields ReadFields::fromOcr(const ocr::ExtractedFields& read) {
  ReadFields out;
  for (const auto& [key, v] : read.fields) {
    auto name = fieldNamed(key);
    if (!name) continue;
    out.fields[*name] = {v.value, v.confidence, v.box, v.readAs, false, std::nullopt};
  }
  for (const auto& d : read.drugs)
    if (!d.name.box.empty())
      out.drugBoxes.push_back({d.name.box, d.name.confidence, !d.drugClass.empty()});
  return out;
}

namespace {

std::optional<cv::Rect> boxFrom(const json& b) {
  if (!b.is_array() || b.size() != 4 ||
      !std::all_of(b.begin(), b.end(), [](const json& x) { return x.is_number_integer(); }))
    return std::nullopt;
  return cv::Rect(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>());
}

std::vector<ReadDrugBox> drugBoxesFrom(const json& doc) {
  std::vector<ReadDrugBox> out;
  auto list = doc.find("drug_boxes");
  if (list == doc.end() || !list->is_array()) return out;
  for (const auto& d : *list) {
    if (!d.is_object()) continue;
    auto box = boxFrom(d.value("box", json()));
    if (!box) continue;
    const json c = d.value("confidence", json());
    const json known = d.value("in_catalogue", json());
    out.push_back(
        {*box, c.is_number() ? c.get<double>() : 0.0, known.is_boolean() && known.get<bool>()});
  }
  return out;
}

}  // namespace

ReadFields ReadFields::fromStored(std::string_view stored) {
  ReadFields out;
  const json doc = json::parse(stored, nullptr, false);
  if (!doc.is_object()) return out;
  if (auto it = doc.find("verdict"); it != doc.end()) out.signature = *it;
  out.drugBoxes = drugBoxesFrom(doc);
  auto fields = doc.find("fields");
  if (fields == doc.end() || !fields->is_object()) return out;
  for (const auto& [key, f] : fields->items()) {
    auto name = fieldNamed(key);
    if (!name || !f.is_object()) continue;
    ReadField r;
    if (auto v = f.find("value"); v != f.end() && v->is_string()) r.value = v->get<std::string>();
    if (auto c = f.find("confidence"); c != f.end() && c->is_number())
      r.confidence = c->get<double>();
    if (auto b = f.find("box"); b != f.end())
      if (auto box = boxFrom(*b)) r.box = *box;
    if (auto a = f.find("read_as"); a != f.end() && a->is_string())
      r.readAs = a->get<std::string>();
    if (auto c = f.find("confirmed"); c != f.end() && c->is_boolean()) r.confirmed = c->get<bool>();
    if (auto by = f.find("by"); by != f.end() && by->is_string())
      r.confirmedBy = by->get<std::string>();
    out.fields[*name] = std::move(r);
  }
  return out;
}

std::string ReadFields::toStored() const {
  json doc = json::object();
  if (!signature.is_null()) doc["verdict"] = signature;
  if (!fields.empty() || signature.is_null()) {
    json f = json::object();
    for (const auto& [name, r] : fields) {
      json entry = {{"value", r.value}, {"confidence", r.confidence}, {"confirmed", r.confirmed}};
      if (!r.box.empty()) entry["box"] = {r.box.x, r.box.y, r.box.width, r.box.height};
      if (r.readAs) entry["read_as"] = *r.readAs;
      if (r.confirmedBy) entry["by"] = *r.confirmedBy;
      f[std::string(fieldKey(name))] = std::move(entry);
    }
    doc["fields"] = std::move(f);
  }
  if (!drugBoxes.empty()) {
    json boxes = json::array();
    for (const auto& d : drugBoxes)
      boxes.push_back({{"box", {d.box.x, d.box.y, d.box.width, d.box.height}},
                       {"confidence", d.confidence},
                       {"in_catalogue", d.inCatalogue}});
    doc["drug_boxes"] = std::move(boxes);
  }
  return doc.dump();
}

const ReadField* ReadFields::find(FieldName f) const {
  auto it = fields.find(f);
  return it == fields.end() ? nullptr : &it->second;
}

std::string ReadFields::value(FieldName f) const {
  const ReadField* r = find(f);
  return r ? r->value : std::string();
}

std::vector<FieldName> ReadFields::toConfirm(double lowConfidence) const {
  std::vector<FieldName> out;
  for (const auto& [name, r] : fields)
    if (r.needsConfirmation(lowConfidence)) out.push_back(name);
  return out;
}

void ReadFields::confirm(FieldName f, const std::string& value, const std::string& by) {
  ReadField& r = fields[f];
  r.value = value;
  r.confidence = 1.0;
  r.confirmed = true;
  r.confirmedBy = by;
}

}  // namespace rx::ws
