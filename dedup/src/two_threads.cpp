#include "two_threads.h"

#include <unistd.h>

namespace rx::dedup {

SecondThread& SecondThread::instance() {
  static SecondThread kept;
  return kept;
}

SecondThread::SecondThread()
    : process_(static_cast<int>(::getpid())), thread_([this] { loop(); }) {}

SecondThread::~SecondThread() {
  // In a forked child the thread does not exist: there is nothing to stop or wait for.
  if (process_ != static_cast<int>(::getpid())) {
    thread_.detach();
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool SecondThread::tryStart(const std::function<void()>& task) {
  if (process_ != static_cast<int>(::getpid())) return false;
  {
    std::lock_guard lock(mutex_);
    if (claimed_) return false;
    claimed_ = true;
    pending_ = true;
    task_ = &task;
  }
  wake_.notify_one();
  return true;
}

void SecondThread::finish() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return !pending_; });
  claimed_ = false;
}

void SecondThread::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return pending_ || stop_; });
    if (!pending_) return;  // stopping, with no task left
    const std::function<void()>* task = task_;
    lock.unlock();
    (*task)();
    lock.lock();
    task_ = nullptr;
    pending_ = false;
    done_.notify_one();
  }
}

}  // namespace rx::dedup
