// A step tests can make slow or hold: a worker calls its kind of work's hook before the work
// (IntakeJob, StoreTask, DispenseDialog's hand-out). Set by a test; empty otherwise.
#pragma once

#include <functional>
#include <mutex>
#include <utility>

namespace rx::gui {

class TestHook {
 public:
  void set(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
  }
  // Calls the hook, if one is set (on the worker).
  void run() const {
    std::function<void()> hook;
    {
      std::lock_guard lock(mutex_);
      hook = hook_;
    }
    if (hook) hook();
  }

 private:
  mutable std::mutex mutex_;
  std::function<void()> hook_;
};

}  // namespace rx::gui
