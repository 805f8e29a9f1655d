// Long work on the store (a backup, the daily backup, an export for inspectors) on a worker
// thread with its own connection (ws::Session::forWorker), so the window never waits on it: the
// progress and the outcome come back on the UI thread (CallAfter), shown on the window's progress
// row (with Cancel). One at a time per window.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <thread>

#include <wx/string.h>

#include "base/status.h"
#include "test_hook.h"
#include "workstation/session.h"

class wxWindow;

namespace rx::gui {

class StoreTask {
 public:
  using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;
  // The work checks the token between its steps and stops with kCancelled, leaving nothing.
  using Work = std::function<Status(ws::Session&, const Progress&, std::stop_token)>;

  // Runs `work` on `session` (the window's session's forWorker()); on `owner`'s thread,
  // `percent` hears of each new percentage and `finished` of the outcome.
  StoreTask(wxWindow* owner, std::unique_ptr<ws::Session> session, Work work,
            std::function<void(int percent)> percent, std::function<void(const Status&)> finished);
  // Waits for the worker (only when the window is torn down while it runs).
  ~StoreTask();
  StoreTask(const StoreTask&) = delete;
  StoreTask& operator=(const StoreTask&) = delete;

  // True until `finished` has run.
  bool running() const { return running_; }
  // Asks the work to stop at its next step.
  void cancel() { stop_.request_stop(); }

  // Tests: called on the worker before the work (to make it slow).
  static void setBeforeWorkForTests(std::function<void()> hook);

 private:
  inline static TestHook beforeWork_;

  wxWindow* owner_;
  std::unique_ptr<ws::Session> session_;
  std::stop_source stop_;
  std::atomic<bool> running_{true};
  std::thread worker_;
};

}  // namespace rx::gui
