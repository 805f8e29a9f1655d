#include "intake_job.h"

#include <wx/event.h>

#include <memory>

#include "workstation/watched_folder.h"

namespace rx::gui {

void IntakeJob::setBeforePresentingForTests(std::function<void()> hook) {
  beforePresenting_.set(std::move(hook));
}

IntakeJob::IntakeJob(wxEvtHandler* owner, IntakeWorker& worker, std::vector<std::string> files,
                     Callbacks callbacks)
    : owner_(owner),
      intakeWorker_(worker),
      files_(std::move(files)),
      callbacks_(std::move(callbacks)) {
  worker_ = std::thread([this] { work(); });
}

IntakeJob::~IntakeJob() {
  alive_.reset();  // events the worker already posted find the job gone and do nothing
  cancel();
  if (worker_.joinable()) worker_.join();
}

void IntakeJob::work() {
  // Several photos of one paper: the first taken is the original, the later ones its re-photos.
  ws::orderByCaptureTime(files_);
  ws::IntakeReader reader;
  const std::size_t total = files_.size();
  std::size_t i = 0;
  for (; i < total && !cancelled_; ++i) {
    const std::string file = files_[i];
    owner_->CallAfter([this, alive = token_, i, total, file] {
      if (alive.expired()) return;
      if (callbacks_.starting) callbacks_.starting(i, total, file);
    });
    const ws::IntakeRead read = reader.read(file);
    beforePresenting_.run();
    auto presented = ws::IntakeService(*intakeWorker_.review).present(read);
    const std::int64_t record = presented ? presented->record : 0;
    const bool reuse = presented && presented->finding.verdict != dedup::Verdict::kNew;
    const Status error = presented.status();
    owner_->CallAfter([this, alive = token_, file, record, reuse, error] {
      if (alive.expired()) return;
      if (callbacks_.presented) callbacks_.presented(file, record, reuse, error);
    });
  }
  const bool cancelled = i < total;
  owner_->CallAfter([this, alive = token_, cancelled] {
    if (alive.expired()) return;
    running_ = false;
    if (callbacks_.finished) callbacks_.finished(cancelled);
  });
}

}  // namespace rx::gui
