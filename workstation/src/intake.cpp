#include "workstation/intake.h"

#include "data/files.h"
#include "workstation/review.h"
#include "workstation/session.h"

namespace rx::ws {

IntakeRead IntakeReader::read(const std::string& file) {
  IntakeRead r;
  r.file = file;
  if (looksLikeJsonFile(file)) {
    auto text = data::readWholeFile(file, kMaxErxBytes);
    auto erx = text ? parseEPrescription(*text, file) : Result<EPrescription>(text.status());
    if (erx)
      r.electronic = std::move(*erx);
    else
      r.error = erx.status();
    return r;
  }
  if (!reader_) {
    auto lexicon = ocr::DrugLexicon::load(ocr::defaultCataloguePath());
    if (!lexicon) {
      r.error = lexicon.status();
      return r;
    }
    lexicon_ = std::move(*lexicon);
    reader_ = ocr::makeStandardReader(&*lexicon_);
  }
  auto paper = reader_->readFile(file);
  if (paper)
    r.paper = std::move(*paper);
  else
    r.error = paper.status();
  return r;
}

Result<Presented> presentRead(Session& session, ReviewService& review, const IntakeRead& read) {
  Presented p;
  if (read.electronic) {
    RX_ASSIGN_OR_RETURN(ErxVerdict verdict, ErxVerifier(session).verifyAndRecord(*read.electronic));
    RX_ASSIGN_OR_RETURN(p.record, review.presentElectronic(*read.electronic, verdict, read.file));
    p.signature = std::move(verdict);
    return p;
  }
  if (read.paper) {
    RX_ASSIGN_OR_RETURN(p.record,
                        review.presentPaper(read.paper->fields, read.file, read.paper->page.gray,
                                            read.paper->qrPayloads));
    return p;
  }
  if (!read.error.isOk()) return read.error;
  return Status(ErrorCode::kInternal, read.file + " was neither read nor refused");
}

}  // namespace rx::ws
