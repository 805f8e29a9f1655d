#include "page_view.h"

#include <wx/image.h>

#include <cstring>
#include <opencv2/imgproc.hpp>

namespace rx::gui {

wxBitmap pageWithBoxes(const cv::Mat& gray, const std::vector<PageBox>& boxes, int width) {
  if (gray.empty()) {
    const int height = width * 1754 / 1240;
    wxImage blank(width, height);
    blank.SetRGB(wxRect(0, 0, width, height), 235, 235, 235);
    return wxBitmap(blank);
  }
  cv::Mat scaled, rgb;
  const double f = static_cast<double>(width) / gray.cols;
  cv::resize(gray, scaled, cv::Size(), f, f, cv::INTER_AREA);
  cv::cvtColor(scaled, rgb, cv::COLOR_GRAY2RGB);
  for (const PageBox& b : boxes) {
    if (b.w <= 0 || b.h <= 0) continue;
    const cv::Rect r(cvRound(b.x * f) - 2, cvRound(b.y * f) - 2, cvRound(b.w * f) + 4,
                     cvRound(b.h * f) + 4);
    cv::rectangle(rgb, r, b.toCheck ? cv::Scalar(235, 120, 0) : cv::Scalar(30, 150, 60),
                  b.toCheck ? 2 : 1);
  }
  wxImage img(rgb.cols, rgb.rows);
  std::memcpy(img.GetData(), rgb.data, static_cast<std::size_t>(rgb.cols) * rgb.rows * 3);
  return wxBitmap(img);
}

}  // namespace rx::gui
