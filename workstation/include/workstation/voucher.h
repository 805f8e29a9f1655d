// The sales voucher (销售凭证) of a dispensing (G16, M15): product, manufacturer, quantity,
// batch/spec, price, buyer and seller, as JSON and as a PDF laid out with Pango on a cairo PDF
// surface (CJK fonts embedded, so it prints the same on any printer). Each hand-out has its own
// voucher; the buyer's ID number is masked on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workstation/session.h"
#include "workstation/settings.h"

namespace rx::ws {

struct VoucherLine {
  std::string drugName, spec, manufacturer, unit;
  std::optional<std::string> batch, expiry;
  int quantity = 0;  // packages
  std::int64_t unitPriceFen = 0;
  std::int64_t amountFen = 0;
  std::vector<std::string> traceCodes;  // 一物一码: every package of the line
};

struct Voucher {
  std::string number;  // <store id prefix>-<prescription id>-<hand-out no.>
  std::int64_t prescriptionId = 0;
  int handOut = 1;       // 1 for the first (or only) hand-out
  bool partial = false;  // the prescription is not complete after this hand-out
  std::string soldAt;    // UTC timestamp of the hand-out
  PharmacyProfile pharmacy;
  std::string buyerName;
  std::string buyerIdMasked;              // 4401**********1234
  std::string sellerName, sellerLicence;  // the pharmacist who handed out
  std::optional<std::string> rxNumber, issuer;
  std::vector<VoucherLine> lines;
  std::int64_t totalFen = 0;
  bool pricesComplete = true;  // false if a package predates the product list
};

// Masks an ID number for print: the first 4 and last 4 characters stay.
std::string maskIdNumber(const std::string& id);

class VoucherService {
 public:
  explicit VoucherService(Session& session) : session_(session) {}
  // The voucher of hand-out `handOut` (1-based; 0 = the latest) of a prescription. Pharmacists
  // and supervisors; kConflict before the first hand-out. Audited `voucher.read`.
  Result<Voucher> voucher(std::int64_t prescriptionId, int handOut = 0);

 private:
  Session& session_;
};

nlohmann::json voucherJson(const Voucher& v);
// The voucher as an A5 landscape PDF (more pages when the lines do not fit).
Result<std::string> renderVoucherPdf(const Voucher& v);
// Its first page as a PNG image, `pixelsPerPoint` pixels per PDF point: the preview on screen,
// drawn by the same layout as the print.
Result<std::string> renderVoucherPng(const Voucher& v, double pixelsPerPoint);
// Writes it to `path`, atomically, readable by the user only.
Status writeVoucherPdf(const Voucher& v, const std::string& path);
// Sends it to a printer through CUPS (`lp`, the default printer when `printer` is empty), by a
// pipe: no copy is left on disk.
Status printVoucher(const Voucher& v, const std::string& printer = "");

}  // namespace rx::ws
