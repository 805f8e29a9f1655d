// Barcodes and QR codes drawn by zint (Debian's libzint), as a printer or a drug box shows them,
// for the tests that read codes back from photos. A test executable using this links
// ${ZINT_LIBRARY} and has ${ZINT_INCLUDE_DIR} on its include path.
#pragma once

#include <zint.h>

#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace rx::test {

struct SymbolStyle {
  bool gs1 = false;  // GS1 data (FNC1 and application identifiers)
  float scale = 1;   // zint's scale: pixels per module are twice this for 2-D symbols
  int margin = 0;    // white pixels added on every side
};

// `data` as a `symbology` (BARCODE_CODE128, BARCODE_QRCODE, ...) symbol in 8-bit BGR, black on
// white; an empty image when zint refuses the data.
inline cv::Mat drawSymbol(int symbology, const std::string& data, SymbolStyle style = {}) {
  zint_symbol* s = ZBarcode_Create();
  s->symbology = symbology;
  s->input_mode = style.gs1 ? GS1_MODE : DATA_MODE;
  s->scale = style.scale;
  s->show_hrt = 0;
  cv::Mat out;
  if (ZBarcode_Encode_and_Buffer(s, reinterpret_cast<const unsigned char*>(data.data()),
                                 static_cast<int>(data.size()), 0) < ZINT_ERROR) {
    cv::cvtColor(cv::Mat(s->bitmap_height, s->bitmap_width, CV_8UC3, s->bitmap), out,
                 cv::COLOR_RGB2BGR);
    cv::copyMakeBorder(out, out, style.margin, style.margin, style.margin, style.margin,
                       cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
  }
  ZBarcode_Delete(s);
  return out;
}

}  // namespace rx::test
