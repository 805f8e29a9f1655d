#include "workstation/voucher.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>

#include "../records/pdf_document.h"
#include "base/time.h"
#include "data/files.h"
#include "data/prescriptions.h"
#include "workstation/review.h"

extern char** environ;

namespace rx::ws {

using nlohmann::json;

std::string maskIdNumber(const std::string& id) {
  if (id.size() <= 8) return std::string(id.size(), '*');
  return id.substr(0, 4) + std::string(id.size() - 8, '*') + id.substr(id.size() - 4);
}

namespace {

// The packages of hand-out `handOut` as the voucher's lines, one per product, batch and expiry in
// the order first handed out, with the total.
void addLines(const std::vector<data::PackageRecord>& packages, int handOut, Voucher& v) {
  std::map<std::tuple<std::string, std::string, std::string>, VoucherLine> lines;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  for (const auto& p : packages) {
    if (p.handOutNo != handOut) continue;
    auto key = std::make_tuple(p.productCode, p.batch.value_or(""), p.expiry.value_or(""));
    auto [it, added] = lines.try_emplace(key);
    VoucherLine& l = it->second;
    if (added) {
      order.push_back(key);
      l.drugName = p.drugName.value_or("(" + p.productCode + ")");
      l.spec = p.spec.value_or("");
      l.manufacturer = p.manufacturer.value_or("");
      l.unit = p.unit.value_or("");
      l.batch = p.batch;
      l.expiry = p.expiry;
      l.unitPriceFen = p.priceFen.value_or(0);
    }
    if (!p.priceFen) v.pricesComplete = false;
    ++l.quantity;
    l.amountFen += p.priceFen.value_or(0);
    l.traceCodes.push_back(p.traceCode);
  }
  for (const auto& key : order) {
    v.totalFen += lines[key].amountFen;
    v.lines.push_back(std::move(lines[key]));
  }
}

}  // namespace

Result<Voucher> VoucherService::voucher(std::int64_t prescriptionId, int handOut) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kPharmacist, data::Role::kSupervisor},
                                           "produce sales vouchers"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(prescriptionId));
  RX_ASSIGN_OR_RETURN(auto steps, repo.steps(prescriptionId));
  std::vector<data::StepRecord> handOuts;
  for (const auto& s : steps)
    if (s.step == data::DispenseStep::kHandOut) handOuts.push_back(s);
  if (handOuts.empty())
    return Status(ErrorCode::kConflict, "prescription " + std::to_string(prescriptionId) +
                                            " has not been handed out; a voucher comes with the "
                                            "hand-out");
  if (handOut < 0 || handOut > static_cast<int>(handOuts.size()))
    return Status(ErrorCode::kNotFound, "prescription " + std::to_string(prescriptionId) +
                                            " was handed out " + std::to_string(handOuts.size()) +
                                            " time(s); there is no hand-out " +
                                            std::to_string(handOut));
  if (handOut == 0) handOut = static_cast<int>(handOuts.size());
  const data::StepRecord& step = handOuts[handOut - 1];

  Voucher v;
  v.prescriptionId = prescriptionId;
  v.handOut = handOut;
  v.number = session_.store().storeId().substr(0, 8) + "-" + std::to_string(prescriptionId) + "-" +
             std::to_string(handOut);
  v.soldAt = step.at;
  v.partial =
      handOut < static_cast<int>(handOuts.size()) || r.state == data::RxState::kPartiallyDispensed;
  RX_ASSIGN_OR_RETURN(v.pharmacy, SettingsService(session_).pharmacy());
  v.buyerName = r.patientName.value_or("");
  v.buyerIdMasked = maskIdNumber(r.patientIdNo.value_or(""));
  RX_ASSIGN_OR_RETURN(data::UserRecord seller, session_.store().users().findByName(step.byUser));
  v.sellerName = seller.displayName;
  v.sellerLicence = seller.licenceNo.value_or("");
  v.rxNumber = r.rxNumber;
  if (const std::string shown = issuerShown(r); !shown.empty()) v.issuer = shown;

  RX_ASSIGN_OR_RETURN(auto packages, repo.packages(prescriptionId));
  addLines(packages, handOut, v);
  RX_RETURN_IF_ERROR(session_
                         .audit("voucher.read", std::to_string(prescriptionId),
                                {{"hand_out", handOut}, {"number", v.number}})
                         .status());
  return v;
}

json voucherJson(const Voucher& v) {
  json lines = json::array();
  for (const auto& l : v.lines)
    lines.push_back({{"drug_name", l.drugName},
                     {"spec", l.spec},
                     {"manufacturer", l.manufacturer},
                     {"unit", l.unit},
                     {"batch", l.batch ? json(*l.batch) : json(nullptr)},
                     {"expiry", l.expiry ? json(*l.expiry) : json(nullptr)},
                     {"quantity", l.quantity},
                     {"unit_price", formatYuan(l.unitPriceFen)},
                     {"amount", formatYuan(l.amountFen)},
                     {"trace_codes", l.traceCodes}});
  auto opt = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  return {{"number", v.number},
          {"prescription", v.prescriptionId},
          {"hand_out", v.handOut},
          {"partial", v.partial},
          {"sold_at", v.soldAt},
          {"sold_at_china", chinaTime(v.soldAt)},
          {"pharmacy",
           {{"name", v.pharmacy.name}, {"uscc", v.pharmacy.uscc}, {"licence", v.pharmacy.licence}}},
          {"buyer", {{"name", v.buyerName}, {"id_number", v.buyerIdMasked}}},
          {"seller", {{"name", v.sellerName}, {"licence", v.sellerLicence}}},
          {"rx_number", opt(v.rxNumber)},
          {"issuer", opt(v.issuer)},
          {"lines", lines},
          {"total", formatYuan(v.totalFen)},
          {"prices_complete", v.pricesComplete},
          {"currency", "CNY"}};
}

namespace {

// A5 landscape, in PDF points.
constexpr double kPageW = 595.3, kPageH = 419.5, kMargin = 28;
using Align = PdfDocument::Align;

struct Column {
  const char* title;
  double width;
  Align align;
};
// 品名, 规格, 生产企业, 批号, 有效期至, 数量, 单价, 金额: widths add up to the text width.
constexpr Column kColumns[] = {{"品名 Product", 104, Align::kLeft},
                               {"规格 Spec", 70, Align::kLeft},
                               {"生产企业 Manufacturer", 112, Align::kLeft},
                               {"批号 Batch", 58, Align::kLeft},
                               {"有效期至 Expiry", 56, Align::kLeft},
                               {"数量 Qty", 38, Align::kRight},
                               {"单价 Price", 48, Align::kRight},
                               {"金额 Amount", 53.3, Align::kRight}};

}  // namespace

namespace {

constexpr double kTextWidth = kPageW - 2 * kMargin;

// The pharmacy, the voucher's title and number, the sale, the buyer and the prescription, from
// the top margin; returns where the table starts.
double drawHeading(PdfDocument& page, const Voucher& v) {
  const double half = kTextWidth / 2;
  double y = kMargin;
  y += page.text(kMargin, y, kTextWidth,
                 v.pharmacy.name.empty() ? "（药店名称未设置）" : v.pharmacy.name, 13, true,
                 Align::kCenter);
  y += page.text(
           kMargin, y, kTextWidth,
           std::string("药品销售凭证 Sales voucher") + (v.partial ? "（部分发药 partial）" : ""),
           11, true, Align::kCenter) +
       4;
  page.text(kMargin, y, half,
            "统一社会信用代码 " + (v.pharmacy.uscc.empty() ? "—" : v.pharmacy.uscc), 7.5);
  y += page.text(kMargin + half, y, half,
                 "药品经营许可证 " + (v.pharmacy.licence.empty() ? "—" : v.pharmacy.licence), 7.5,
                 false, Align::kRight);
  page.text(kMargin, y, half, "凭证号 No. " + v.number, 7.5);
  y += page.text(kMargin + half, y, half, "销售时间 " + chinaTime(v.soldAt) + "（北京时间）", 7.5,
                 false, Align::kRight);
  page.text(kMargin, y, half,
            "购买人 Buyer " + (v.buyerName.empty() ? "—" : v.buyerName) +
                (v.buyerIdMasked.empty() ? "" : "  身份证 " + v.buyerIdMasked),
            7.5);
  y += page.text(kMargin + half, y, half,
                 "处方 Rx " + v.rxNumber.value_or("—") + "  " + v.issuer.value_or(""), 7.5, false,
                 Align::kRight) +
       4;
  return y;
}

// The table's column titles between two rules at `y`; returns where its first row starts.
double drawColumnTitles(PdfDocument& page, double y) {
  page.rule(kMargin, kPageW - kMargin, y, 0.9);
  double x = kMargin, h = 0;
  for (const auto& c : kColumns) {
    h = std::max(h, page.text(x + 1, y + 2, c.width - 2, c.title, 7, true, c.align));
    x += c.width;
  }
  y += h + 4;
  page.rule(kMargin, kPageW - kMargin, y);
  return y;
}

// One line of the voucher at `y` (on a new page, under the titles again, when it would run over
// the bottom margin), its traceability codes beneath; returns where the next starts.
double drawLine(PdfDocument& page, const VoucherLine& l, double y) {
  const std::string cells[] = {l.drugName,
                               l.spec,
                               l.manufacturer,
                               l.batch.value_or("—"),
                               l.expiry.value_or("—"),
                               std::to_string(l.quantity) + " " + l.unit,
                               formatYuan(l.unitPriceFen),
                               formatYuan(l.amountFen)};
  std::string codes = "追溯码 ";
  for (std::size_t i = 0; i < l.traceCodes.size(); ++i) codes += (i ? ", " : "") + l.traceCodes[i];
  // Rows are about 30 pt; a new page starts before one would run over the bottom margin.
  if (y + 34 > kPageH - kMargin - 40) {
    page.nextPage();
    y = drawColumnTitles(page, kMargin);
  }
  double x = kMargin, h = 0;
  for (std::size_t i = 0; i < std::size(kColumns); ++i) {
    h = std::max(
        h, page.text(x + 1, y + 2, kColumns[i].width - 2, cells[i], 7.5, false, kColumns[i].align));
    x += kColumns[i].width;
  }
  y += h + 2;
  y += page.text(kMargin + 8, y, kTextWidth - 8, codes, 6) + 3;
  page.rule(kMargin, kPageW - kMargin, y, 0.3);
  return y;
}

// The total and the pharmacist who sold, after the table at `y` (on a new page when too low).
void drawFooter(PdfDocument& page, const Voucher& v, double y) {
  const double half = kTextWidth / 2;
  y += 4;
  y += page.text(kMargin, y, kTextWidth,
                 "合计 Total ¥" + formatYuan(v.totalFen) +
                     (v.pricesComplete ? "" : "（部分价格缺失 some prices missing）"),
                 9, true, Align::kRight) +
       6;
  if (y > kPageH - kMargin - 30) {
    page.nextPage();
    y = kMargin;
  }
  page.text(kMargin, y, half,
            "售药人（执业药师）Pharmacist " + v.sellerName +
                (v.sellerLicence.empty() ? "" : "  " + v.sellerLicence),
            7.5);
  page.text(kMargin + half, y, half, "处方药须凭处方在药师指导下购买和使用", 7.5, true,
            Align::kRight);
}

// Lays the voucher out on `page` (PDF or preview image) and finishes it.
Result<std::string> drawVoucher(PdfDocument& page, const Voucher& v) {
  double y = drawColumnTitles(page, drawHeading(page, v));
  for (const auto& l : v.lines) y = drawLine(page, l, y);
  drawFooter(page, v, y);
  return page.finish();
}

}  // namespace

Result<std::string> renderVoucherPdf(const Voucher& v) {
  PdfDocument page(kPageW, kPageH, "药品销售凭证 " + v.number);
  return drawVoucher(page, v);
}

Result<std::string> renderVoucherPng(const Voucher& v, double pixelsPerPoint) {
  auto page = PdfDocument::image(kPageW, kPageH, pixelsPerPoint);
  return drawVoucher(*page, v);
}

Status writeVoucherPdf(const Voucher& v, const std::string& path) {
  RX_ASSIGN_OR_RETURN(std::string pdf, renderVoucherPdf(v));
  return data::writeFileAtomically(path, pdf, 0600);
}

Status printVoucher(const Voucher& v, const std::string& printer) {
  RX_ASSIGN_OR_RETURN(std::string pdf, renderVoucherPdf(v));
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status(ErrorCode::kIo, std::string("cannot print: ") + std::strerror(errno));
  std::vector<std::string> argv = {"lp", "-t", "voucher " + v.number};
  if (!printer.empty()) argv.insert(argv.end(), {"-d", printer});
  argv.push_back("-");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "lp", &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (spawned != 0) {
    ::close(fds[1]);
    return Status(spawned == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                  std::string("cannot run lp (CUPS) to print: ") + std::strerror(spawned) +
                      "; install cups-client, or write the PDF with --pdf and print it");
  }
  // The PDF goes through the pipe: no copy of the buyer's voucher is left in a temporary file.
  std::signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  while (written < pdf.size()) {
    const ssize_t n = ::write(fds[1], pdf.data() + written, pdf.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::close(fds[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || written < pdf.size())
    return Status(ErrorCode::kIo, "lp could not print voucher " + v.number + " (exit status " +
                                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                                      ")" + (printer.empty() ? "" : " on printer " + printer));
  return Status();
}

}  // namespace rx::ws
