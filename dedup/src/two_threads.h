// Work split over the two cores a counter PC has: the lookup waits for all of it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace rx::dedup {

// One thread kept for the whole process beside the callers of onTwoThreads: started at the first
// lookup and never stopped (it idles until the process ends). A thread started per lookup had its
// per-thread buffers (compareInk's page-sized images) allocated afresh every time; the kept thread
// keeps them. It serves one caller at a time: while it works for one, another caller is told so
// and starts a thread of its own, and so does a child process forked after it started (a fork
// copies only the thread that forked).
class SecondThread {
 public:
  static SecondThread& instance();

  SecondThread(const SecondThread&) = delete;
  SecondThread& operator=(const SecondThread&) = delete;

  // Starts `task` on the kept thread and returns true, or returns false at once (nothing started)
  // when it is working for another caller or this is a child forked after it started. After
  // true, the caller must call finish() (which waits for the task) before `task` goes out of
  // scope. `task` must not throw.
  bool tryStart(const std::function<void()>& task);
  void finish();

 private:
  SecondThread();
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  bool claimed_ = false;  // a caller's task was started and that caller has not finished
  bool pending_ = false;  // the task has not yet run to its end
  const std::function<void()>* task_ = nullptr;
};

// Runs `job(k)` for every k in [0, n): the even k on the calling thread, the odd ones on a second
// thread (when there are two or more): the kept one when it is free, else one started for this
// call. An exception thrown on either thread (an OpenCV error) reaches the caller once both are
// done.
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
  const std::function<void()> second = [&] {
    try {
      from(1);
    } catch (...) {
      failed = std::current_exception();
    }
  };
  SecondThread& kept = SecondThread::instance();
  const bool onKept = kept.tryStart(second);
  std::thread started;
  if (!onKept) started = std::thread(second);
  std::exception_ptr mine;
  try {
    from(0);
  } catch (...) {
    mine = std::current_exception();
  }
  if (onKept)
    kept.finish();
  else
    started.join();
  if (mine) std::rethrow_exception(mine);
  if (failed) std::rethrow_exception(failed);
}

}  // namespace rx::dedup
