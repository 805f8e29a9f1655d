// Work split over the two cores a counter PC has: the lookup waits for all of it.
#pragma once

#include <cstddef>
#include <exception>
#include <thread>

namespace rx::dedup {

// Runs `job(k)` for every k in [0, n): the even k on the calling thread, the odd ones on a second
// thread (when there are two or more). An exception thrown on either thread (an OpenCV error)
// reaches the caller once both are done.
template <class Job>
void onTwoThreads(std::size_t n, const Job& job) {
  auto from = [&](std::size_t first) {
    for (std::size_t k = first; k < n; k += 2) job(k);
  };
  if (n < 2) {
    from(0);
    return;
  }
  std::exception_ptr failed;
  std::thread second([&] {
    try {
      from(1);
    } catch (...) {
      failed = std::current_exception();
    }
  });
  std::exception_ptr mine;
  try {
    from(0);
  } catch (...) {
    mine = std::current_exception();
  }
  second.join();
  if (mine) std::rethrow_exception(mine);
  if (failed) std::rethrow_exception(failed);
}

}  // namespace rx::dedup
