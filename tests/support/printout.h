// A phone photo of an e-prescription's printout: the prescription on a paper form (the generator's
// layout 0) with its signed QR code in the lower right corner, about 3.6 cm wide as hospital
// printouts print it. For the tests that read the QR code back from the photo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "base/time.h"
#include "rxgen.h"
#include "symbols.h"
#include "workstation/demo_documents.h"

namespace rx::test {

inline std::vector<std::uint8_t> photographPrintout(const ws::DemoPrescription& p,
                                                    const std::string& qrPayload,
                                                    const std::string& catalogue,
                                                    std::uint64_t seed = 2611) {
  RxGenerator gen(seed, catalogue);
  GenRx printed = gen.content(0);
  printed.hospital = p.issuerName;
  printed.rxNumber = p.rxNumber;
  printed.date = beijingToday();
  printed.patientName = p.patientName;
  printed.drugs.clear();
  for (const auto& d : p.drugs)
    printed.drugs.push_back({d.name, d.strength, static_cast<int>(d.quantity), d.unit, d.usage});
  cv::Mat page = gen.render(printed);
  cv::Mat symbol = drawSymbol(BARCODE_QRCODE, qrPayload, {.margin = 4});
  if (symbol.empty()) return {};
  cv::resize(symbol, symbol, {300, 300}, 0, 0, cv::INTER_NEAREST);  // 3.6 cm at 210 dpi
  symbol.copyTo(page(cv::Rect(page.cols - 100 - symbol.cols, 1080, symbol.cols, symbol.rows)));
  CaptureOptions camera;
  camera.minMegapixels = 4;
  camera.maxMegapixels = 8;
  return gen.photograph(page, camera);
}

}  // namespace rx::test
