// A straightened prescription page on screen, with the boxes of what was read on it.
#pragma once

#include <wx/bitmap.h>

#include <opencv2/core.hpp>
#include <vector>

namespace rx::gui {

struct PageBox {
  int x = 0, y = 0, w = 0, h = 0;  // page pixels
  bool toCheck = false;            // read with low confidence, not yet confirmed
};

// `gray` scaled to `width` pixels with `boxes` outlined (green; orange when to be checked), or a
// grey placeholder of an A5 page's proportions when there is no page.
wxBitmap pageWithBoxes(const cv::Mat& gray, const std::vector<PageBox>& boxes, int width);

}  // namespace rx::gui
