// Package codes (药品追溯码) in photos of drug boxes, for when no handheld scanner is at hand:
// Code 128 / GS1-128 and EAN-13 through ZBar, Data Matrix / GS1 Data Matrix through libdmtx
// (OpenCV 4.6's barcode module reads only EAN/UPC). GS1 FNC1 separators come out as ASCII GS,
// as a keyboard-wedge scanner sends them, so dedup::parseTraceCode() takes the text as it is.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace rx::ocr {

struct PackageCode {
  std::string symbology;  // code128 | ean13 | datamatrix
  std::string text;
};

// Every code found in `image` (BGR or grey), each once, in reading order (top to bottom).
// Searches at most `maxDataMatrix` Data Matrix symbols, each for at most `dataMatrixMs`.
std::vector<PackageCode> readPackageCodes(const cv::Mat& image, int maxDataMatrix = 4,
                                          int dataMatrixMs = 800);

// The text of every QR code in `image` (BGR or grey), each once: a printout's signed QR code, read
// from a photo or a scan of the paper (ZBar; nothing is printed).
std::vector<std::string> readQrCodes(const cv::Mat& image);

}  // namespace rx::ocr
