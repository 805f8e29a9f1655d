#include "two_threads.h"

#include <pthread.h>

#include <atomic>

namespace rx::dedup {

namespace {

// Set in a child process forked after the kept thread started: the child has no such thread.
std::atomic<bool> forkedChild{false};

}  // namespace

SecondThread& SecondThread::instance() {
  // Never destroyed: the thread idles until the process ends, so no exit path (a lookup still
  // running on another thread, a forked child's exit) waits on it or on its mutex.
  static SecondThread& kept = *new SecondThread;
  return kept;
}

SecondThread::SecondThread() {
  ::pthread_atfork(nullptr, nullptr, [] { forkedChild = true; });
  std::thread([this] { loop(); }).detach();
}

bool SecondThread::tryStart(const std::function<void()>& task) {
  if (forkedChild) return false;
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
    wake_.wait(lock, [this] { return pending_; });
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
