// A straightened prescription page on screen, with the boxes of what was read on it.
#pragma once

#include <wx/bitmap.h>
#include <wx/scrolwin.h>

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
// The same with `points` (page pixels) circled, each in its own colour, so that one point can be
// followed from one page to another drawn with the same list order.
wxBitmap pageWithMarks(const cv::Mat& gray, const std::vector<PageBox>& boxes,
                       const std::vector<cv::Point2f>& points, int width);

// The width of the tallest A5 page that fits the screen's height less `reserved` pixels (the rest
// of the window), between `least` and `most`.
int pageWidthOnScreen(int reserved, int least, int most);

// The page as the pharmacist examines it: fitted to the view at first; zoomed with Ctrl+wheel or
// Ctrl++ / Ctrl+-, panned by dragging or with the scroll bars, turned a quarter clockwise with
// Ctrl+R (a page the reader turned the wrong way), fitted again with Ctrl+0. Zoom stops at 1.5×
// the stored page's pixels: beyond that nothing more is there to see.
class PageView : public wxScrolledCanvas {
 public:
  // `size`: the view's size in pixels; the page is fitted to its width.
  PageView(wxWindow* parent, cv::Mat gray, std::vector<PageBox> boxes, wxSize size);

  void zoomBy(double factor);
  void fit();
  void turn();
  // Ctrl++, Ctrl+-, Ctrl+0 and Ctrl+R; whether `key` was one of them.
  bool handleKey(const wxKeyEvent& key);

  // Shown width of the page over its stored width; quarter turns clockwise (0-3).
  double zoom() const { return zoom_; }
  int quarterTurns() const { return turns_; }
  wxSize shownSize() const { return bitmap_.GetSize(); }
  const std::vector<PageBox>& boxes() const { return boxes_; }

 private:
  void render();
  double fitZoom() const;

  cv::Mat gray_;
  std::vector<PageBox> boxes_;
  double zoom_ = 1;
  bool fitted_ = true;
  int turns_ = 0;
  wxBitmap bitmap_;
  wxPoint dragFrom_;
  wxPoint viewFrom_;
};

}  // namespace rx::gui
