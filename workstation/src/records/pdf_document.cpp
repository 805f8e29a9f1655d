#include "pdf_document.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

namespace rx::ws {

namespace {
cairo_status_t appendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}
}  // namespace

struct PdfDocument::Impl {
  std::string bytes;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  PangoLayout* layout = nullptr;
  bool image = false;
  bool pastFirstPage = false;  // image: later pages are not drawn
  ~Impl() {
    if (layout) g_object_unref(layout);
    if (cr) cairo_destroy(cr);
    if (surface) cairo_surface_destroy(surface);
  }
};

PdfDocument::PdfDocument(double width, double height, const std::string& title)
    : impl_(std::make_unique<Impl>()) {
  impl_->surface = cairo_pdf_surface_create_for_stream(appendBytes, &impl_->bytes, width, height);
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_CREATOR, "rxdesk");
  impl_->cr = cairo_create(impl_->surface);
  cairo_set_source_rgb(impl_->cr, 0, 0, 0);
  impl_->layout = pango_cairo_create_layout(impl_->cr);
}

PdfDocument::PdfDocument() : impl_(std::make_unique<Impl>()) {}

std::unique_ptr<PdfDocument> PdfDocument::image(double width, double height, double scale) {
  std::unique_ptr<PdfDocument> doc(new PdfDocument());
  Impl& d = *doc->impl_;
  d.image = true;
  d.surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(width * scale),
                                         static_cast<int>(height * scale));
  d.cr = cairo_create(d.surface);
  cairo_set_source_rgb(d.cr, 1, 1, 1);
  cairo_paint(d.cr);
  cairo_scale(d.cr, scale, scale);
  cairo_set_source_rgb(d.cr, 0, 0, 0);
  d.layout = pango_cairo_create_layout(d.cr);
  return doc;
}

PdfDocument::~PdfDocument() = default;

double PdfDocument::text(double x, double y, double width, const std::string& text, double size,
                         bool bold, Align align) {
  PangoFontDescription* font = pango_font_description_from_string("Noto Sans CJK SC");
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(impl_->layout, font);
  pango_font_description_free(font);
  pango_layout_set_width(impl_->layout, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(impl_->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(impl_->layout, align == Align::kLeft     ? PANGO_ALIGN_LEFT
                                            : align == Align::kCenter ? PANGO_ALIGN_CENTER
                                                                      : PANGO_ALIGN_RIGHT);
  pango_layout_set_text(impl_->layout, text.c_str(), -1);
  if (!impl_->pastFirstPage) {
    cairo_move_to(impl_->cr, x, y);
    pango_cairo_show_layout(impl_->cr, impl_->layout);
  }
  int w = 0, h = 0;
  pango_layout_get_size(impl_->layout, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

void PdfDocument::rule(double x0, double x1, double y, double lineWidth) {
  if (impl_->pastFirstPage) return;
  cairo_set_line_width(impl_->cr, lineWidth);
  cairo_move_to(impl_->cr, x0, y);
  cairo_line_to(impl_->cr, x1, y);
  cairo_stroke(impl_->cr);
}

void PdfDocument::nextPage() {
  if (impl_->image)
    impl_->pastFirstPage = true;
  else
    cairo_show_page(impl_->cr);
}

Result<std::string> PdfDocument::finish() {
  if (impl_->image) {
    cairo_surface_flush(impl_->surface);
    if (cairo_surface_write_to_png_stream(impl_->surface, appendBytes, &impl_->bytes) !=
        CAIRO_STATUS_SUCCESS)
      return Status(ErrorCode::kInternal, "the preview image could not be drawn");
    return std::move(impl_->bytes);
  }
  cairo_surface_finish(impl_->surface);
  if (cairo_surface_status(impl_->surface) != CAIRO_STATUS_SUCCESS)
    return Status(ErrorCode::kInternal,
                  std::string("the PDF could not be drawn: ") +
                      cairo_status_to_string(cairo_surface_status(impl_->surface)));
  return std::move(impl_->bytes);
}

}  // namespace rx::ws
