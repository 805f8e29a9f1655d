#include "store_task.h"

#include <wx/frame.h>
#include <wx/intl.h>
#include <wx/window.h>

#include <algorithm>
#include <utility>

namespace rx::gui {

void StoreTask::setBeforeWorkForTests(std::function<void()> hook) {
  beforeWork_.set(std::move(hook));
}

StoreTask::StoreTask(wxWindow* owner, std::unique_ptr<ws::Session> session, wxString message,
                     Work work, std::function<void(const Status&)> finished)
    : owner_(owner), session_(std::move(session)), message_(std::move(message)) {
  worker_ = std::thread([this, work = std::move(work), finished = std::move(finished)] {
    beforeWork_.run();
    int shown = -1;
    const Status st = work(*session_, [&](std::uint64_t done, std::uint64_t total) {
      const int percent = total ? static_cast<int>(100 * done / total) : 0;
      if (percent == shown) return;  // the UI thread hears of each percent once
      shown = percent;
      owner_->CallAfter([this, percent] { showProgress(percent); });
    });
    // The connection (and its share of the store's lock) goes as soon as the work is done:
    // a user's removal or a purge needs the store alone.
    session_.reset();
    // Events reach the owner in order: the progress before the outcome.
    owner_->CallAfter([this, st, finished] {
      closeProgress();
      running_ = false;
      finished(st);
    });
  });
}

StoreTask::~StoreTask() {
  if (worker_.joinable()) worker_.join();
}

// On the window's status bar, not in a progress dialog: a dialog's Update handles pending events
// itself, the outcome among them, which closed the dialog inside its own Update (seen crashing).
void StoreTask::showProgress(int percent) {
  if (!running_) return;
  if (auto* frame = wxDynamicCast(owner_, wxFrame))
    frame->SetStatusText(wxString::Format("%s %d%%", message_, std::min(percent, 99)), 0);
}

void StoreTask::closeProgress() {
  if (auto* frame = wxDynamicCast(owner_, wxFrame)) frame->SetStatusText(wxEmptyString, 0);
}

}  // namespace rx::gui
