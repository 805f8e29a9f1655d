#include "store_task.h"

#include <wx/intl.h>
#include <wx/progdlg.h>
#include <wx/window.h>

#include <algorithm>
#include <utility>

namespace rx::gui {

namespace {
std::function<void()>& beforeWorkHook() {
  static std::function<void()> hook;
  return hook;
}
}  // namespace

void StoreTask::setBeforeWorkForTests(std::function<void()> hook) {
  beforeWorkHook() = std::move(hook);
}

StoreTask::StoreTask(wxWindow* owner, std::unique_ptr<ws::Session> session, wxString message,
                     Work work, std::function<void(const Status&)> finished)
    : owner_(owner), session_(std::move(session)), message_(std::move(message)) {
  worker_ = std::thread(
      [this, hook = beforeWorkHook(), work = std::move(work), finished = std::move(finished)] {
        if (hook) hook();
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
  // Torn down with the window: no Update (it would handle events of a window half gone).
  if (progress_) progress_.release()->Destroy();
}

void StoreTask::closeProgress() {
  if (!progress_) return;
  // Done: hidden (the other windows enabled again), and deleted once the events in hand are
  // handled — not under them.
  progress_->Update(100);
  progress_.release()->Destroy();
}

void StoreTask::showProgress(int percent) {
  if (!running_) return;
  if (!progress_)
    progress_ = std::make_unique<wxProgressDialog>(_("rxdesk"), message_, 100, owner_,
                                                   wxPD_APP_MODAL | wxPD_AUTO_HIDE);
  progress_->Update(std::min(percent, 99));
}

}  // namespace rx::gui
