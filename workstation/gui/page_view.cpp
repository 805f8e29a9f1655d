#include "page_view.h"

#include <wx/dcclient.h>
#include <wx/gdicmn.h>
#include <wx/image.h>

#include <algorithm>
#include <cstring>
#include <opencv2/imgproc.hpp>

namespace rx::gui {

wxBitmap pageWithBoxes(const cv::Mat& gray, const std::vector<PageBox>& boxes, int width) {
  return pageWithMarks(gray, boxes, {}, width);
}

wxBitmap pageWithMarks(const cv::Mat& gray, const std::vector<PageBox>& boxes,
                       const std::vector<cv::Point2f>& points, int width) {
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
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double hue = 360.0 * static_cast<double>(i) / static_cast<double>(points.size());
    cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue / 2, 230, 220)), colour;
    cv::cvtColor(hsv, colour, cv::COLOR_HSV2RGB);
    const cv::Vec3b c = colour.at<cv::Vec3b>(0, 0);
    cv::circle(rgb, cv::Point(cvRound(points[i].x * f), cvRound(points[i].y * f)), 4,
               cv::Scalar(c[0], c[1], c[2]), 2, cv::LINE_AA);
  }
  wxImage img(rgb.cols, rgb.rows);
  std::memcpy(img.GetData(), rgb.data, static_cast<std::size_t>(rgb.cols) * rgb.rows * 3);
  return wxBitmap(img);
}

int pageWidthOnScreen(int reserved, int least, int most) {
  const int height = wxGetClientDisplayRect().GetHeight() - reserved;
  return std::clamp(height * 1240 / 1754, least, most);
}

PageView::PageView(wxWindow* parent, cv::Mat gray, std::vector<PageBox> boxes, wxSize size)
    : wxScrolledCanvas(parent, wxID_ANY, wxDefaultPosition, size,
                       wxHSCROLL | wxVSCROLL | wxWANTS_CHARS),
      gray_(std::move(gray)),
      boxes_(std::move(boxes)) {
  SetBackgroundStyle(wxBG_STYLE_PAINT);
  SetScrollRate(10, 10);
  // The vertical bar always there: a fitted page is taller than the view, and the width it is
  // fitted to must not change when the bar appears.
  ShowScrollbars(wxSHOW_SB_DEFAULT, wxSHOW_SB_ALWAYS);
  zoom_ = fitZoom();
  render();
  // Fitted until the pharmacist zooms: the first real size (and any later one) refits.
  Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
    if (fitted_) {
      zoom_ = fitZoom();
      render();
    }
    e.Skip();
  });
  Bind(wxEVT_PAINT, [this](wxPaintEvent&) {
    wxPaintDC dc(this);
    dc.SetBackground(wxBrush(wxColour(200, 200, 200)));
    dc.Clear();
    DoPrepareDC(dc);
    dc.DrawBitmap(bitmap_, 0, 0);
  });
  Bind(wxEVT_LEFT_DOWN, [this](wxMouseEvent& e) {
    SetFocus();
    dragFrom_ = e.GetPosition();
    int ux = 0, uy = 0;
    GetScrollPixelsPerUnit(&ux, &uy);
    viewFrom_ = GetViewStart();
    viewFrom_.x *= ux;
    viewFrom_.y *= uy;
    if (!HasCapture()) CaptureMouse();
  });
  Bind(wxEVT_MOTION, [this](wxMouseEvent& e) {
    if (!HasCapture() || !e.Dragging()) return;
    const wxPoint moved = e.GetPosition() - dragFrom_;
    int ux = 1, uy = 1;
    GetScrollPixelsPerUnit(&ux, &uy);
    Scroll((viewFrom_.x - moved.x) / std::max(1, ux), (viewFrom_.y - moved.y) / std::max(1, uy));
  });
  Bind(wxEVT_LEFT_UP, [this](wxMouseEvent&) {
    if (HasCapture()) ReleaseMouse();
  });
  Bind(wxEVT_MOUSE_CAPTURE_LOST, [](wxMouseCaptureLostEvent&) {});
  Bind(wxEVT_MOUSEWHEEL, [this](wxMouseEvent& e) {
    if (!e.ControlDown()) {
      e.Skip();  // scrolls
      return;
    }
    zoomBy(e.GetWheelRotation() > 0 ? 1.25 : 0.8);
  });
  Bind(wxEVT_KEY_DOWN, [this](wxKeyEvent& e) {
    if (!handleKey(e)) e.Skip();
  });
}

double PageView::fitZoom() const {
  if (gray_.empty()) return 1;
  const int across = turns_ % 2 ? gray_.rows : gray_.cols;
  const int room = GetClientSize().x > 40 ? GetClientSize().x : GetSize().x;
  return std::max(0.05, static_cast<double>(room - 2) / across);
}

void PageView::zoomBy(double factor) {
  const double lowest = fitZoom() / 2;
  zoom_ = std::clamp(zoom_ * factor, lowest, std::max(lowest, 1.5));
  fitted_ = false;
  render();
}

void PageView::fit() {
  fitted_ = true;
  zoom_ = fitZoom();
  render();
}

void PageView::turn() {
  turns_ = (turns_ + 1) % 4;
  if (fitted_) zoom_ = fitZoom();
  render();
}

bool PageView::handleKey(const wxKeyEvent& key) {
  if (!key.ControlDown() || key.AltDown()) return false;
  switch (key.GetKeyCode()) {
    case '=':
    case '+':
    case WXK_NUMPAD_ADD:
      zoomBy(1.25);
      return true;
    case '-':
    case WXK_NUMPAD_SUBTRACT:
      zoomBy(0.8);
      return true;
    case '0':
    case WXK_NUMPAD0:
      fit();
      return true;
    case 'R':
      turn();
      return true;
    default:
      return false;
  }
}

void PageView::render() {
  const int width =
      gray_.empty() ? GetSize().x : std::max(16, static_cast<int>(gray_.cols * zoom_ + 0.5));
  wxBitmap shown = pageWithBoxes(gray_, boxes_, width);
  if (turns_ != 0) {
    wxImage image = shown.ConvertToImage();
    for (int i = 0; i < turns_; ++i) image = image.Rotate90(true);
    shown = wxBitmap(image);
  }
  bitmap_ = shown;
  SetVirtualSize(bitmap_.GetSize());
  Refresh();
}

}  // namespace rx::gui
