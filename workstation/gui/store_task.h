// Long work on the store (a backup, the daily backup, an export for inspectors) on a worker
// thread with its own connection (ws::Session::forWorker), so the window never waits on it: the
// progress and the outcome come back on the UI thread (CallAfter), the progress on the window's
// status bar. One at a time per window.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
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
  using Work = std::function<Status(ws::Session&, const Progress&)>;

  // Runs `work` on `session` (the window's session's forWorker()) and then `finished` with its
  // outcome on `owner`'s thread; `message` is what the status bar says meanwhile, with the
  // percentage.
  StoreTask(wxWindow* owner, std::unique_ptr<ws::Session> session, wxString message, Work work,
            std::function<void(const Status&)> finished);
  // Waits for the worker (only when the window is torn down while it runs).
  ~StoreTask();
  StoreTask(const StoreTask&) = delete;
  StoreTask& operator=(const StoreTask&) = delete;

  // True until `finished` has run.
  bool running() const { return running_; }

  // Tests: called on the worker before the work (to make it slow).
  static void setBeforeWorkForTests(std::function<void()> hook);

 private:
  void showProgress(int percent);
  void closeProgress();
  inline static TestHook beforeWork_;

  wxWindow* owner_;
  std::unique_ptr<ws::Session> session_;
  wxString message_;
  std::atomic<bool> running_{true};
  std::thread worker_;
};

}  // namespace rx::gui
