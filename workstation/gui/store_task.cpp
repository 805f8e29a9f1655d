#include "store_task.h"

#include <wx/window.h>

#include <algorithm>
#include <utility>

namespace rx::gui {

void StoreTask::setBeforeWorkForTests(std::function<void()> hook) {
  beforeWork_.set(std::move(hook));
}

StoreTask::StoreTask(wxWindow* owner, std::unique_ptr<ws::Session> session, Work work,
                     std::function<void(int)> percent, std::function<void(const Status&)> finished)
    : owner_(owner), session_(std::move(session)) {
  worker_ = std::thread(
      [this, work = std::move(work), percent = std::move(percent), finished = std::move(finished)] {
        beforeWork_.run();
        int shown = -1;
        const Status st = work(
            *session_,
            [&](std::uint64_t done, std::uint64_t total) {
              const int now = total ? static_cast<int>(100 * done / total) : 0;
              if (now == shown) return;  // the UI thread hears of each percent once
              shown = now;
              owner_->CallAfter([this, now, percent] {
                if (running_) percent(std::min(now, 99));
              });
            },
            stop_.get_token());
        // The connection (and its share of the store's lock) goes as soon as the work is done:
        // a user's removal or a purge needs the store alone.
        session_.reset();
        // Events reach the owner in order: the progress before the outcome.
        owner_->CallAfter([this, st, finished] {
          running_ = false;
          finished(st);
        });
      });
}

StoreTask::~StoreTask() {
  if (worker_.joinable()) worker_.join();
}

}  // namespace rx::gui
