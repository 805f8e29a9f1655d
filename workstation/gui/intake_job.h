// Taking files in from the GUI without blocking it: a worker thread reads each file (e-prescription
// JSON parsed; photos through OCR, the slow part) and hands every result to the UI thread, where
// it is verified and put in the queue (the store's connection belongs to the UI thread). One file
// at a time; cancelling stops after the file being read.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "workstation/intake.h"

class wxEvtHandler;

namespace rx::gui {

using ws::IntakeRead;

class IntakeJob {
 public:
  struct Callbacks {
    std::function<void(std::size_t index, std::size_t total, const std::string& file)> starting;
    std::function<void(IntakeRead read)> read;  // each file, in order
    std::function<void(bool cancelled)> finished;
  };
  // Starts reading `files`; every callback runs on `owner`'s (the UI) thread via CallAfter.
  IntakeJob(wxEvtHandler* owner, std::vector<std::string> files, Callbacks callbacks);
  // Cancels and waits for the worker (at most the file being read).
  ~IntakeJob();
  IntakeJob(const IntakeJob&) = delete;
  IntakeJob& operator=(const IntakeJob&) = delete;

  void cancel() { cancelled_ = true; }
  bool running() const { return running_; }

 private:
  void work();

  wxEvtHandler* owner_;
  std::vector<std::string> files_;
  Callbacks callbacks_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> running_{true};
  std::thread worker_;
};

// The files of `folder` that intake takes (photos and JSON), sorted by name; not recursive.
std::vector<std::string> intakeFilesIn(const std::string& folder);

}  // namespace rx::gui
