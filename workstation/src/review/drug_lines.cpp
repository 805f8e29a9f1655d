#include "workstation/drug_lines.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace rx::ws {

namespace {

constexpr int kMaxLine = 99;
constexpr double kMaxQuantity = 99999;

struct LineKey {
  int line = 0;
  std::string attribute;  // empty: the name
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

Status badKey(std::string_view key, const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "'" + std::string(key) + "': " + why);
}

Result<LineKey> parseKey(std::string_view key) {
  std::string_view rest = key.substr(4);  // after "drug"
  const std::size_t dot = rest.find('.');
  const std::string_view digits = rest.substr(0, dot);
  if (digits.empty() || digits.size() > 2 || digits.front() == '0' ||
      !std::all_of(digits.begin(), digits.end(), isDigit))
    return badKey(key, "drug lines are drug1 to drug" + std::to_string(kMaxLine));
  LineKey k;
  k.line = std::stoi(std::string(digits));
  if (dot != std::string_view::npos) {
    k.attribute = std::string(rest.substr(dot + 1));
    if (k.attribute != "spec" && k.attribute != "quantity" && k.attribute != "unit" &&
        k.attribute != "usage")
      return badKey(key, "a drug line has a name (drugN), spec, quantity, unit and usage");
  }
  return k;
}

Result<double> parseQuantity(int line, const std::string& text) {
  const std::string t = trimmed(text);
  char* end = nullptr;
  const double q = t.empty() ? 0 : std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(q) || q <= 0 || q > kMaxQuantity)
    return Status(ErrorCode::kInvalidArgument,
                  "drug line " + std::to_string(line) + ": the quantity '" + text +
                      "' is not a number above 0 (at most " +
                      std::to_string(static_cast<int>(kMaxQuantity)) + ")");
  return q;
}

// Applies one line's keys to `item`; `renamed` is set when its name is new or changed.
Status applyToLine(int line, const std::map<std::string, std::string>& attrs, data::RxItem& item,
                   bool& renamed) {
  for (const auto& [attribute, value] : attrs) {
    if (attribute.empty()) {
      const std::string name = trimmed(value);
      if (name != item.drugName) {
        item.drugName = name;
        item.drugClass.clear();  // set again from the catalogue
        item.ephedrine = false;
        renamed = true;
      }
    } else if (attribute == "quantity") {
      RX_ASSIGN_OR_RETURN(item.quantity, parseQuantity(line, value));
    } else if (attribute == "spec") {
      item.spec = trimmed(value);
    } else if (attribute == "unit") {
      item.unit = trimmed(value);
    } else {
      item.usage = trimmed(value);
    }
  }
  return Status::ok();
}

}  // namespace

std::string quantityText(double quantity) {
  if (!(quantity > 0) || !std::isfinite(quantity)) return {};
  std::ostringstream text;
  text << quantity;  // six significant digits: 2, 0.5, 12.5
  return text.str();
}

std::string trimmed(std::string_view s) {
  auto space = [](std::string_view t, bool front) {
    if (t.empty()) return std::size_t{0};
    const char c = front ? t.front() : t.back();
    if (c == ' ' || c == '\t') return std::size_t{1};
    if (t.size() >= 3 && (front ? t.substr(0, 3) : t.substr(t.size() - 3)) == "\xE3\x80\x80")
      return std::size_t{3};
    return std::size_t{0};
  };
  for (std::size_t n; (n = space(s, true)) > 0;) s.remove_prefix(n);
  for (std::size_t n; (n = space(s, false)) > 0;) s.remove_suffix(n);
  return std::string(s);
}

bool isDrugLineKey(std::string_view key) {
  return key.size() > 4 && key.substr(0, 4) == "drug" && isDigit(key[4]);
}

Result<DrugLineEdits> applyDrugLineEdits(const std::vector<data::RxItem>& items,
                                         const std::map<std::string, std::string>& values) {
  std::map<int, std::map<std::string, std::string>> byLine;
  for (const auto& [key, value] : values) {
    if (!isDrugLineKey(key)) continue;
    RX_ASSIGN_OR_RETURN(LineKey k, parseKey(key));
    byLine[k.line][k.attribute] = value;
  }
  std::vector<data::RxItem> lines = items;
  std::vector<bool> removed(items.size(), false), renamed(items.size(), false);
  DrugLineEdits out;
  for (const auto& [line, attrs] : byLine) {
    const std::string where = "drug line " + std::to_string(line);
    const bool existing = static_cast<std::size_t>(line) <= items.size();
    const auto name = attrs.find("");
    if (!existing && static_cast<std::size_t>(line) != lines.size() + 1)
      return Status(ErrorCode::kInvalidArgument,
                    where + ": the prescription has " + std::to_string(lines.size()) +
                        " line(s) with those added; a new line is drug" +
                        std::to_string(lines.size() + 1));
    if (!existing && (name == attrs.end() || trimmed(name->second).empty()))
      return Status(
          ErrorCode::kInvalidArgument,
          where + ": a new line needs the drug's name (drug" + std::to_string(line) + "=NAME)");
    if (!existing && !attrs.count("quantity"))
      return Status(ErrorCode::kInvalidArgument, where + ": a new line needs its quantity (drug" +
                                                     std::to_string(line) + ".quantity=N)");
    if (existing && name != attrs.end() && trimmed(name->second).empty()) {
      if (attrs.size() > 1)
        return Status(ErrorCode::kInvalidArgument,
                      where + ": an empty name removes the line; it cannot be changed as well");
      removed[line - 1] = true;
      out.removed.push_back(items[line - 1].drugName);
      continue;
    }
    if (!existing) {
      lines.emplace_back();
      removed.push_back(false);
      renamed.push_back(false);
    }
    bool isRenamed = false;
    RX_RETURN_IF_ERROR(applyToLine(line, attrs, lines[line - 1], isRenamed));
    renamed[line - 1] = isRenamed;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (removed[i]) continue;
    if (renamed[i]) out.renamed.push_back(out.lines.size());
    out.lines.push_back(std::move(lines[i]));
  }
  return out;
}

}  // namespace rx::ws
