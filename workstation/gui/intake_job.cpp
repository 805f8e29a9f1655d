#include "intake_job.h"

#include <wx/event.h>

#include <algorithm>
#include <filesystem>
#include <memory>

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
  cancel();
  if (worker_.joinable()) worker_.join();
}

void IntakeJob::work() {
  ws::IntakeReader reader;
  const std::size_t total = files_.size();
  std::size_t i = 0;
  for (; i < total && !cancelled_; ++i) {
    const std::string file = files_[i];
    owner_->CallAfter([this, i, total, file] {
      if (callbacks_.starting) callbacks_.starting(i, total, file);
    });
    const ws::IntakeRead read = reader.read(file);
    beforePresenting_.run();
    auto presented = ws::IntakeService(*intakeWorker_.review).present(read);
    const std::int64_t record = presented ? presented->record : 0;
    const bool reuse = presented && presented->finding.verdict != dedup::Verdict::kNew;
    const Status error = presented.status();
    owner_->CallAfter([this, file, record, reuse, error] {
      if (callbacks_.presented) callbacks_.presented(file, record, reuse, error);
    });
  }
  const bool cancelled = i < total;
  owner_->CallAfter([this, cancelled] {
    running_ = false;
    if (callbacks_.finished) callbacks_.finished(cancelled);
  });
}

std::vector<std::string> intakeFilesIn(const std::string& folder) {
  static const char* kExtensions[] = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".json"};
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(std::begin(kExtensions), std::end(kExtensions), ext) != std::end(kExtensions))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace rx::gui
