// libFuzzer: image intake on arbitrary bytes — format sniffing, decoding with limits, EXIF
// orientation — and page detection on whatever decodes. Limits are small so a run stays fast.
#include <array>
#include <cstdint>
#include <vector>

#include "ocr/image_io.h"
#include "ocr/page.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rx::ocr::ImageLimits limits;
  limits.maxFileBytes = 1u << 20;
  limits.maxPixels = 1'000'000;
  limits.maxSide = 2000;
  auto image = rx::ocr::decodeImage(std::vector<std::uint8_t>(data, data + size), "fuzz", limits);
  if (image) {
    std::array<cv::Point2f, 4> corners;
    (void)rx::ocr::findPage(*image, corners);
  }
  return 0;
}
