#include "ocr/barcodes.h"

#include <dmtx.h>
#include <zbar.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace rx::ocr {

namespace {

cv::Mat toGray(const cv::Mat& image) {
  cv::Mat gray;
  if (image.channels() == 3)
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  else if (image.channels() == 4)
    cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  else
    gray = image;
  return gray.isContinuous() ? gray : gray.clone();
}

cv::Mat scaledToAtMost(const cv::Mat& gray, int longSide) {
  const double scale = static_cast<double>(longSide) / std::max(gray.cols, gray.rows);
  if (scale >= 1) return gray;
  cv::Mat small;
  cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_AREA);
  return small;
}

// A ZBar scanner for `symbologies` only, scanning every `density`-th line and column.
void configure(zbar::ImageScanner& scanner,
               std::initializer_list<zbar::zbar_symbol_type_t> symbologies, int density = 1) {
  scanner.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  for (auto s : symbologies) scanner.set_config(s, zbar::ZBAR_CFG_ENABLE, 1);
  scanner.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_X_DENSITY, density);
  scanner.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_Y_DENSITY, density);
}

zbar::Image zbarImage(const cv::Mat& gray) {
  return zbar::Image(static_cast<unsigned>(gray.cols), static_cast<unsigned>(gray.rows), "Y800",
                     gray.data, static_cast<unsigned long>(gray.total()));
}

struct Found {
  int y;
  PackageCode code;
};

void zbarCodes(const cv::Mat& gray, std::vector<Found>& out) {
  zbar::ImageScanner scanner;
  configure(scanner, {zbar::ZBAR_CODE128, zbar::ZBAR_EAN13});
  zbar::Image image = zbarImage(gray);
  if (scanner.scan(image) <= 0) return;
  for (auto s = image.symbol_begin(); s != image.symbol_end(); ++s) {
    int y = gray.rows;
    for (int i = 0; i < s->get_location_size(); ++i) y = std::min(y, s->get_location_y(i));
    out.push_back({y, {s->get_type() == zbar::ZBAR_CODE128 ? "code128" : "ean13", s->get_data()}});
  }
}

void dmtxCodes(const cv::Mat& gray, int maxSymbols, int ms, std::vector<Found>& out) {
  DmtxImage* img = dmtxImageCreate(gray.data, gray.cols, gray.rows, DmtxPack8bppK);
  if (!img) return;
  DmtxDecode* dec = dmtxDecodeCreate(img, 2);  // search at half resolution: 4x faster
  if (dec) {
    dec->fnc1 = 0x1D;  // GS1 separators as ASCII GS (libdmtx 0.7.7 has no decode property)
    DmtxTime until = dmtxTimeAdd(dmtxTimeNow(), ms);
    for (int n = 0; n < maxSymbols; ++n) {
      DmtxRegion* reg = dmtxRegionFindNext(dec, &until);
      if (!reg) break;
      if (DmtxMessage* msg = dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined)) {
        std::string text(reinterpret_cast<const char*>(msg->output), msg->outputIdx);
        // FNC1 in first position marks GS1 data; it is not a separator (ZBar drops it too).
        if (!text.empty() && text.front() == '\x1d') text.erase(0, 1);
        // libdmtx's y axis points up.
        const int y = gray.rows - static_cast<int>(reg->topLoc.Y);
        out.push_back({y, {"datamatrix", std::move(text)}});
        dmtxMessageDestroy(&msg);
      }
      dmtxRegionDestroy(&reg);
    }
    dmtxDecodeDestroy(&dec);
  }
  dmtxImageDestroy(&img);
}

// The QR codes ZBar finds in `gray`; ZBar reads a QR at any rotation and under a moderate
// perspective, and prints nothing (OpenCV 4.6's own detector, built without quirc in Debian, finds
// codes but cannot decode them, and says so on standard output).
std::vector<std::string> zbarQrCodes(const cv::Mat& gray, int density) {
  zbar::ImageScanner scanner;
  configure(scanner, {zbar::ZBAR_QRCODE}, density);
  zbar::Image image = zbarImage(gray);
  std::vector<std::string> out;
  if (scanner.scan(image) <= 0) return out;
  for (auto s = image.symbol_begin(); s != image.symbol_end(); ++s)
    if (s->get_type() == zbar::ZBAR_QRCODE &&
        std::find(out.begin(), out.end(), s->get_data()) == out.end())
      out.push_back(s->get_data());
  return out;
}

}  // namespace

std::vector<std::string> readQrCodes(const cv::Mat& image) {
  if (image.empty()) return {};
  const cv::Mat gray = toGray(image);
  // A printout's QR code fills a few percent of a phone photo; ZBar wants modules of about 3 px.
  // At 1600 px the code of a photo taken close up has them; one taken from further away, a scan,
  // or a photo of a screen showing the paper needs the photo at up to 3200 px, scanned on every
  // second line and column there (a finder pattern is 21 px or more tall at that size; it halves
  // the time, ~50 ms, which every photo without a code pays).
  std::vector<std::string> found = zbarQrCodes(scaledToAtMost(gray, 1600), 1);
  if (found.empty() && std::max(gray.cols, gray.rows) > 1600)
    found = zbarQrCodes(scaledToAtMost(gray, 3200), 2);
  return found;
}

std::vector<PackageCode> readPackageCodes(const cv::Mat& image, int maxDataMatrix,
                                          int dataMatrixMs) {
  if (image.empty()) return {};
  // Phone photos are large; codes on a box stay readable at 1600 px.
  const cv::Mat gray = scaledToAtMost(toGray(image), 1600);
  std::vector<Found> found;
  zbarCodes(gray, found);
  dmtxCodes(gray, maxDataMatrix, dataMatrixMs, found);
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return a.y < b.y; });
  std::vector<PackageCode> out;
  for (auto& f : found)
    if (std::none_of(out.begin(), out.end(),
                     [&](const PackageCode& c) { return c.text == f.code.text; }))
      out.push_back(std::move(f.code));
  return out;
}

}  // namespace rx::ocr
