// From a photo to an upright, flat, evenly lit page: find the paper, correct perspective, decide
// the orientation (0/90/180/270), divide out uneven lighting and shadows, and scale the text to the
// size Tesseract reads best.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "ocr/recognizer.h"

namespace rx::ocr {

struct PreparedPage {
  cv::Mat gray;  // upright, lighting-flattened page, 8-bit (smoothed if it read better so)
  bool pageFound = false;  // false: the whole image was used
  // The outline first found read nothing: this page is the next likeliest (straightenOtherPage).
  bool otherOutline = false;
  std::array<cv::Point2f, 4>
      corners{};     // page corners in the photo (tl, tr, br, bl of the upright page)
  int rotation = 0;  // degrees the page was turned clockwise to make it upright
  cv::Matx33d pageToPhoto = cv::Matx33d::eye();  // maps page pixels back to photo pixels
};

inline constexpr int kPageWidth = 1240;  // text of a printed A5 prescription at ~38 px per line

// Returns the four corners of the paper in `bgr` (tl, tr, br, bl), or false when no sheet stands
// out from the photo. A photo taken in low light is first brightened as a camera's exposure would
// have done. The paper is the largest bright region, when it is a thirtieth of the image or more
// (below a sixth, shaped like a sheet). A paper seen inside something darker within that region
// (a phone's screen, a tray) is found by its own outline; where the region fills most of the frame
// (a light counter) or is no sheet's shape (a receipt joined to the paper), by the paper's colour
// edges. What was found (either way) is then weighed against the other sheet-like outlines of the
// photo (a receipt or a larger sheet beside the paper, the paper within a region that took in a
// receipt, and, where what was found is poorly supported, the regions brighter than several
// levels): of those whose sides the colour steps across, the largest and most central, or a sheet
// of its own inside it whose sides step better (it took in a receipt or a strip of desk), is the
// paper. Where the bright region is too small or no sheet, those outlines are weighed on their own.
bool findPage(const cv::Mat& bgr, std::array<cv::Point2f, 4>& corners);

// Grey for reading: the luminance, with red ink (a hospital's seal, the pharmacy's 已调配 stamp)
// dropped out to the paper's brightness, so that a seal over the hospital's name or the doctor
// does not hide the printed characters under it. Black, blue and grey ink keep their darkness, and
// so does print the seal was pressed over. Redness is measured against the paper's brightness, so
// a seal in a dim photo drops out as in daylight.
cv::Mat inkGray(const cv::Mat& photo);
// Whether the photo has red ink worth dropping out (a seal, a stamp), on the paper whose corners
// (tl, tr, br, bl) are `page` when given, else anywhere. Photos without it are straightened in
// grey, as before: cheaper, and read exactly as they were.
bool hasRedInk(const cv::Mat& photo, const std::array<cv::Point2f, 4>* page = nullptr);

// From this share of a flattened page's pixels in mid grey (kMidGrey) its paper has a texture:
// the moiré of a photographed screen, a patterned paper. (The grain of a photo taken in low light
// looks the same; straightenPage leaves such a photo's page out of the texture step.)
inline constexpr double kTexturedPaper = 0.2;
struct GreyRange {
  int start, end;  // grey levels, the end excluded
};
inline constexpr GreyRange kMidGrey{170, 235};
// A flattened page as it is, or with its paper's texture made white when it has one (Tesseract's
// global threshold would otherwise split the texture from the paper and read it as ink).
cv::Mat withoutTexture(const cv::Mat& gray);

// Divides out uneven lighting (gradients, shadows) from a grayscale page.
cv::Mat flattenLighting(const cv::Mat& gray);

// The closing of the 8-bit `gray` by an ellipse `diameter` px across (odd), pixel for pixel as
// cv::morphologyEx(MORPH_CLOSE) gives it, in about half its time (flattenLighting's background).
cv::Mat closeWithEllipse(const cv::Mat& gray, int diameter);

// Above this grain (the paper's mean difference from its 3x3 median, in grey levels) a page is
// read through a 3x3 median: the sensor noise of a photo taken in low light, or of a screen or a
// photocopy photographed (withoutGrain says what was measured).
inline constexpr double kGrainyPaper = 2.5;
// A flattened page as it is, or through a 3x3 median when its paper is grainier than kGrainyPaper.
cv::Mat withoutGrain(const cv::Mat& gray);
// A flattened page with its specks (flecks of recycled paper, dust, toner spots: bits of ink no
// bigger than a full stop's dot with no bigger ink within half a line) painted white, when it has
// more than a few (one pixel in 2000); else the page as it is.
cv::Mat withoutSpecks(const cv::Mat& gray);

// The perspective correction that makes the text lines of a straightened page level, measured in
// its top and bottom halves (lines within ±12° of level); identity when they are level already or
// the page has no clear lines.
cv::Matx33d levelTextLines(const cv::Mat& gray);

// The shear that makes the upright strokes of a levelled page's characters upright again (a page
// whose outline was found wrong can come out sheared, its text slanted like italics), measured in
// strips about a text line high, within ±22°; identity when they stand upright already (a slant
// under about 6° can measure as none) or the page has no clear strokes.
cv::Matx33d uprightStrokes(const cv::Mat& gray);

// Paints the form's long horizontal and vertical rules white.
cv::Mat eraseRules(const cv::Mat& gray);

// The opening of the binary (0/255) `ink` by a `length` x 1 rectangle (openRows) or a 1 x `length`
// one (openColumns), pixel for pixel as cv::morphologyEx(MORPH_OPEN) gives it, found from the
// runs of ink (a page's rules: 3-7 ms where the opening took 30-40).
cv::Mat openRows(const cv::Mat& ink, int length);
cv::Mat openColumns(const cv::Mat& ink, int length);

// Finds the page in a photo, straightens, levels and cleans it, and turns it portrait. It is then
// upright or upside down: see below.
Result<PreparedPage> straightenPage(const cv::Mat& bgr);
// The page straightened from the next likeliest outline of the paper in `bgr` besides the one
// `first` (straightenPage's page of the same photo) came from: for a photo whose first page read
// nothing. Of the regions brighter than several levels and the colour edges' sheets, those light
// and nearly grey inside, a thirtieth of the photo or more, no strip (the longer sides at most
// twice the shorter), mostly not `first`'s outline and with their sides mostly stepping in colour:
// the best supported and framed (large and central). No page when there is none.
Result<std::optional<PreparedPage>> straightenOtherPage(const cv::Mat& bgr,
                                                        const PreparedPage& first);

// Whether `page` (straightened, grey) looks upside down before anything is read: the hospital's
// name, printed larger than anything else at the head of a prescription, is then at the foot. Its
// tallest line of print in the bottom third is title-sized and clearly taller (1.2 times) than any
// in the top third. Reading the page the way it looks to be up first saves reading it whole twice:
// on rx-photos-v1 it finds 16 of the 16 pages the reader turns, and no upright page; on the
// generator's photos 51 of 57 (hard captures) and 61 of 65 (busy desks), and 0 of 242 and 2 of 208
// upright pages. A turned page it misses costs what it did before; an upright page it takes for
// turned is read whole once more, and readUpright turns it back.
bool looksUpsideDown(const cv::Mat& page);

// Whether `lines`, read from `page` as it is, show it upright beyond doubt: its header band read
// that much text at that confidence (text read upside down never does). Most photos are settled
// by it, without reading anything twice.
bool surelyUpright(const std::vector<RecognizedLine>& lines, const cv::Mat& page);
// Whether `page` reads better turned by 180°: its header band (and, when that says little either
// way, its foot band) read both ways up. `read`, when given, is what the page read as it is; its
// lines in each band stand for reading the band again that way up.
Result<bool> readsBetterTurned(const cv::Mat& page, Recognizer& recognizer,
                               const std::vector<RecognizedLine>* read = nullptr);
// Turns a prepared page by 180°, keeping its mapping to the photo.
void turnOver(PreparedPage& page);
// What readUpright did to a page.
struct Upright {
  bool turned = false;    // turned by 180°
  bool smoothed = false;  // replaced by the smoothed page (keepSmoothedIfSurer)
  double turningMs = 0;   // of its time, spent deciding which way up and reading it turned (the
                          // reader counts it in the page stage)
};
// Puts `page`, read as it lies into `lines`, the right way up and read as surely as it reads, with
// `lines` its reading then:
// - a page surely upright is only smoothed, if it read unsurely;
// - a page whose header band read next to nothing (upside down, or its header hidden) is read
//   whole turned at once and the better way up kept (the band reads would cost most of that and
//   tell less), then smoothed if unsure;
// - any other page is smoothed first if unsure (a header read surer smoothed is often surely
//   upright), and, if still not surely upright, its header band (and foot band) read turned
//   (readsBetterTurned). A page that reads better turned is turned sharp as it came, read again,
//   and then smoothed if unsure: whether it read surer smoothed upside down says nothing of how it
//   reads upright.
Result<Upright> readUpright(PreparedPage& page, Recognizer& recognizer,
                            std::vector<RecognizedLine>& lines);

// Returns true iff `page.gray` and its reading `lines` were replaced by a smoothed page and its
// reading. A page read unsurely (meanConfidence below 70) is read again through a slight blur: a
// fine pattern over the text (a photographed screen's pixel grid, a photocopy's toner noise, a
// dim photo's grain, a small page enlarged) breaks the strokes for Tesseract, and the blur joins
// them again. The smoothed page is kept when it reads at least 5 points surer and as much text
// (readability) — and then is the page for everything after, the stored page included.
Result<bool> keepSmoothedIfSurer(PreparedPage& page, Recognizer& recognizer,
                                 std::vector<RecognizedLine>& lines);

}  // namespace rx::ocr
