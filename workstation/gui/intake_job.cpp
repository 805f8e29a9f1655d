#include "intake_job.h"

#include <wx/event.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "data/files.h"
#include "ocr/lexicon.h"
#include "ocr/recognizer.h"

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
  std::unique_ptr<ocr::PrescriptionReader> reader;
  std::optional<ocr::DrugLexicon> lexicon;
  const std::size_t total = files_.size();
  std::size_t i = 0;
  for (; i < total && !cancelled_; ++i) {
    const std::string file = files_[i];
    owner_->CallAfter([this, i, total, file] {
      if (callbacks_.starting) callbacks_.starting(i, total, file);
    });
    IntakeRead read;
    read.file = file;
    if (ws::looksLikeJsonFile(file)) {
      auto text = data::readWholeFile(file, ws::kMaxErxBytes);
      auto erx =
          text ? ws::parseEPrescription(*text, file) : Result<ws::EPrescription>(text.status());
      if (erx)
        read.electronic = std::move(*erx);
      else
        read.error = erx.status();
    } else {
      if (!reader) {
        auto lex = ocr::DrugLexicon::load(ocr::defaultCataloguePath());
        if (!lex) {
          read.error = lex.status();
        } else {
          lexicon = std::move(*lex);
          reader = std::make_unique<ocr::PrescriptionReader>(
              ocr::makeTesseractRecognizer("chi_sim"), &*lexicon);
        }
      }
      if (reader) {
        auto r = reader->readFile(file);
        if (r)
          read.paper = std::move(*r);
        else
          read.error = r.status();
      }
    }
    if (!read.electronic && !read.paper && read.error.isOk())
      read.error = Status(ErrorCode::kInternal, file + " was neither read nor refused");
    // The result (a page image, the fields) moves to the UI thread; nothing stays here.
    auto shared = std::make_shared<IntakeRead>(std::move(read));
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
