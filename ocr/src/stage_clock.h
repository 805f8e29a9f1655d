// The clock the reader's stage timings (ReadResult::ms) are taken with, for the files that time
// part of a stage.
#pragma once

#include <chrono>

namespace rx::ocr {

using Clock = std::chrono::steady_clock;

// Milliseconds since `t`.
inline double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace rx::ocr
