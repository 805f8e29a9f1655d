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
  return out;
}

ReadFields ReadFields::fromStored(std::string_view stored) {
  ReadFields out;
  const json doc = json::parse(stored, nullptr, false);
  if (!doc.is_object()) return out;
  if (auto it = doc.find("verdict"); it != doc.end()) out.signature = *it;
  auto fields = doc.find("fields");
  if (fields == doc.end() || !fields->is_object()) return out;
  for (const auto& [key, f] : fields->items()) {
    auto name = fieldNamed(key);
    if (!name || !f.is_object()) continue;
    ReadField r;
    if (auto v = f.find("value"); v != f.end() && v->is_string()) r.value = v->get<std::string>();
    if (auto c = f.find("confidence"); c != f.end() && c->is_number())
      r.confidence = c->get<double>();
    if (auto b = f.find("box");
        b != f.end() && b->is_array() && b->size() == 4 &&
        std::all_of(b->begin(), b->end(), [](const json& x) { return x.is_number_integer(); }))
      r.box = {(*b)[0].get<int>(), (*b)[1].get<int>(), (*b)[2].get<int>(), (*b)[3].get<int>()};
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
