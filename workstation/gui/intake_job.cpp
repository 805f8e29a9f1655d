#include "intake_job.h"

#include <wx/event.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace rx::gui {

IntakeJob::IntakeJob(wxEvtHandler* owner, std::vector<std::string> files, Callbacks callbacks)
    : owner_(owner), files_(std::move(files)), callbacks_(std::move(callbacks)) {
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
    // The result (a page image, the fields) moves to the UI thread; nothing stays here.
    auto shared = std::make_shared<ws::IntakeRead>(reader.read(file));
    owner_->CallAfter([this, shared] {
      if (callbacks_.read) callbacks_.read(std::move(*shared));
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
