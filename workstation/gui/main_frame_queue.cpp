// MainFrame: the queue's rows (what each prescription shows) and opening the record a row names.
#include <wx/dataview.h>
#include <wx/infobar.h>
#include <wx/intl.h>
#include <wx/msgdlg.h>
#include <wx/stattext.h>

#include <algorithm>

#include "base/time.h"
#include "dispense_dialog.h"
#include "labels.h"
#include "main_frame.h"
#include "reuse_dialog.h"
#include "review_dialog.h"
#include "workstation/review.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

struct ReuseCell {
  wxString label;   // as the pharmacist reads it
  wxString markup;  // the same, coloured and signed
};

ReuseCell reuseCell(const Result<std::optional<ws::ReuseFinding>>& finding,
                    const ws::CheckSummary& summary) {
  const bool suspected = finding && *finding && (*finding)->verdict == dedup::Verdict::kSuspected;
  const bool overruled = suspected && (*finding)->overruled();
  const ws::ReuseMatchInfo* earlier = nullptr;  // the handed-out match if any, else the first
  if (finding && *finding)
    for (const auto& m : (*finding)->matches)
      if (!earlier || (m.used && !earlier->used)) earlier = &m;
  const wxString label = overruled                         ? _("overruled")
                         : summary.usedBefore && suspected ? _("suspected — double-click")
                         : summary.usedBefore && earlier   ? handOutLabel(*earlier)
                         : summary.usedBefore              ? _("handed out before")
                                                           : _("new");
  // Colour and a sign so that a reuse cannot be overlooked (the column renders markup).
  const char* colour = overruled                         ? "#6b6b6b"
                       : summary.usedBefore && suspected ? "#b35900"
                       : summary.usedBefore              ? "#b00020"
                                                         : nullptr;
  const char* sign = overruled ? "" : "⚠ ";
  return {label, colour ? wxString::Format("<span foreground='%s' weight='bold'>%s%s</span>",
                                           colour, wxString::FromUTF8(sign), markupEscaped(label))
                        : markupEscaped(label)};
}

struct QueueRow {
  wxVector<wxVariant> cells;
  wxString reuseLabel;  // the Reuse column without its markup
};

QueueRow queueRow(ws::ReviewService& review, const data::PrescriptionRecord& r,
                  const std::string& today) {
  QueueRow row;
  wxVector<wxVariant>& cells = row.cells;
  cells.push_back(wxString::Format("%lld", static_cast<long long>(r.id)));
  cells.push_back(stateLabel(r.state));
  cells.push_back(beijingTime(r.arrivedAt));
  cells.push_back(r.kind == data::RxKind::kElectronic ? _("electronic") : _("paper"));
  cells.push_back(toWx(ws::maskedName(r.patientName.value_or(""))));
  cells.push_back(
      r.items.empty()
          ? wxString::FromUTF8("—")
          : toWx(r.items.front().drugName) +
                (r.items.size() > 1 ? wxString::Format(" +%zu", r.items.size() - 1) : wxString()));
  cells.push_back(r.kind != data::RxKind::kElectronic ? wxString("—")
                  : r.verified.value_or(false)        ? _("verified")
                                                      : _("NOT verified"));
  // The finding once, for the checks and for the column.
  auto finding = review.reuse().finding(r.id);
  auto checks = finding ? review.checksFor(r, ws::ReviewService::readFields(r), *finding, today)
                        : Result<std::vector<ws::RuleCheck>>(finding.status());
  const ws::CheckSummary summary = checks ? ws::summarizeChecks(*checks) : ws::CheckSummary{};
  ReuseCell reuse = reuseCell(finding, summary);
  cells.push_back(reuse.markup);
  row.reuseLabel = reuse.label;
  // A warning (over the supply limit, ephedrine) is not "all passed".
  cells.push_back(summary.blocking   ? wxString::Format(_("%d to resolve"), summary.blocking)
                  : summary.warnings ? wxString::Format(_("%d to look at"), summary.warnings)
                                     : _("all checks passed"));
  return row;
}
}  // namespace

void MainFrame::openRecord(std::int64_t record) {
  auto r = review_->record(record);
  if (!r) {
    wxMessageBox(explain(r.status()), _("rxdesk"), wxICON_ERROR, this);
    return;
  }
  switch (r->state) {
    case data::RxState::kQueued:
    case data::RxState::kInReview: {
      ReviewDialog dialog(this, *review_, *session_, record);
      dialog.ShowModal();
      break;
    }
    case data::RxState::kApproved:
    case data::RxState::kPartiallyDispensed: {
      DispenseDialog dialog(this, *session_, record);
      dialog.ShowModal();
      break;
    }
    default:
      showReuse(record);
      return;
  }
  refreshQueue();
}

void MainFrame::showReuse(std::int64_t record) {
  ReuseDialog dialog(this, review_->reuse(), *session_, record);
  dialog.ShowModal();
  refreshQueue();
}

void MainFrame::refreshQueue() {
  // The selection stays on the record it was on; otherwise on the first, so Enter opens it.
  const int selected = queue_->GetSelectedRow();
  const std::int64_t keep =
      selected >= 0 && selected < static_cast<int>(rows_.size()) ? rows_[selected] : 0;
  queue_->DeleteAllItems();
  rows_.clear();
  reuseLabels_.clear();
  auto list = review_->queue();
  if (list) {
    const std::string today = rx::beijingToday();
    for (const auto& r : *list) {
      QueueRow row = queueRow(*review_, r, today);
      reuseLabels_.push_back(row.reuseLabel);
      queue_->AppendItem(row.cells);
      rows_.push_back(r.id);
    }
  }
  fitColumnsToText(queue_);
  if (!list)
    infoBar_->ShowMessage(explainInline(list.status(), _("The queue could not be read.")),
                          wxICON_ERROR);
  if (!rows_.empty()) {
    const auto at = std::find(rows_.begin(), rows_.end(), keep);
    const wxDataViewItem item =
        queue_->RowToItem(at == rows_.end() ? 0 : static_cast<int>(at - rows_.begin()));
    queue_->SetCurrentItem(item);  // GTK's Enter opens the row under the cursor
    queue_->Select(item);
  }
  emptyNote_->Show(queue_->GetItemCount() == 0 && list);
  Layout();
}

}  // namespace rx::gui
