// Taking files in from the GUI without blocking it: a worker thread reads each file (e-prescription
// JSON parsed; photos through OCR) and presents it (signature verified, reuse compared, record
// stored) on its own connection to the store (ws::Session::forWorker), then tells the UI thread
// what became of it. The UI thread never waits on either. One file at a time, in the order they
// were taken (ws::orderByCaptureTime); cancelling stops after the file at hand.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_hook.h"
#include "workstation/intake.h"
#include "workstation/review.h"
#include "workstation/session.h"

class wxEvtHandler;

namespace rx::gui {

// The worker's own session and review service (its reuse index), opened by the window for a job
// and closed after it. Used only by the worker while the job runs.
struct IntakeWorker {
  std::unique_ptr<ws::Session> session;
  std::unique_ptr<ws::ReviewService> review;
};

class IntakeJob {
 public:
  struct Callbacks {
    std::function<void(std::size_t index, std::size_t total, const std::string& file)> starting;
    // Each file, in order: the record it became (with whether it was presented before), or why
    // it was not taken in.
    std::function<void(const std::string& file, std::int64_t record, bool reuse,
                       const Status& error)>
        presented;
    std::function<void(bool cancelled)> finished;
  };
  // Starts taking `files` in with `worker` (which must outlive the job); every callback runs on
  // `owner`'s (the UI) thread via CallAfter.
  IntakeJob(wxEvtHandler* owner, IntakeWorker& worker, std::vector<std::string> files,
            Callbacks callbacks);
  // Cancels and waits for the worker (at most the file being read).
  ~IntakeJob();
  IntakeJob(const IntakeJob&) = delete;
  IntakeJob& operator=(const IntakeJob&) = delete;

  void cancel() { cancelled_ = true; }
  bool running() const { return running_; }

  // Tests: called on the worker before each presentation (to make one slow).
  static void setBeforePresentingForTests(std::function<void()> hook);

 private:
  void work();
  inline static TestHook beforePresenting_;

  wxEvtHandler* owner_;
  IntakeWorker& intakeWorker_;
  std::vector<std::string> files_;
  Callbacks callbacks_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> running_{true};
  // Alive while the job is: the events the worker posts hold token_ (a weak copy, made once) and do
  // nothing once the job was destroyed, as it is when another user takes over the window.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  const std::weak_ptr<bool> token_ = alive_;
  std::thread worker_;
};

}  // namespace rx::gui
