// A small PDF writer for rxdesk's printouts (sales vouchers, export summaries): Pango lays out the
// text (CJK with font fallback, wrapping) on a cairo PDF surface that embeds font subsets. The
// document is built in memory; nothing is written to disk here.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace rx::ws {

class PdfDocument {
 public:
  enum class Align { kLeft, kCenter, kRight };
  // A page size in PDF points (A5 landscape: 595.3 × 419.5; A4 portrait: 595.3 × 841.9).
  PdfDocument(double width, double height, const std::string& title);
  // The same drawing onto a white image `scale` pixels per point, for an on-screen preview:
  // finish() returns a PNG of the first page (later pages are laid out but not drawn).
  static std::unique_ptr<PdfDocument> image(double width, double height, double scale);
  ~PdfDocument();
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  // Draws `text` at (x, y) in a box `width` wide, wrapping; returns its height.
  double text(double x, double y, double width, const std::string& text, double size,
              bool bold = false, Align align = Align::kLeft);
  // A horizontal line from x0 to x1 at y.
  void rule(double x0, double x1, double y, double lineWidth = 0.6);
  void nextPage();
  // Ends the document and returns its bytes.
  Result<std::string> finish();

 private:
  PdfDocument();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rx::ws
