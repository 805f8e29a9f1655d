#include "dashboard_dialog.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/dcbuffer.h>
#include <wx/graphics.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include <algorithm>
#include <functional>
#include <map>

#include "base/time.h"
#include "labels.h"
#include "workstation/chain.h"
#include "wx_convert.h"

namespace rx::gui {

BarChart::BarChart(wxWindow* parent, const wxString& title)
    : wxPanel(parent, wxID_ANY, wxDefaultPosition, parent->FromDIP(wxSize(760, 210))),
      title_(title) {
  SetBackgroundStyle(wxBG_STYLE_PAINT);
  Bind(wxEVT_PAINT, &BarChart::onPaint, this);
}

void BarChart::setData(std::vector<wxString> days, std::vector<Series> series) {
  days_ = std::move(days);
  series_ = std::move(series);
  Refresh();
}

double BarChart::total() const {
  double t = 0;
  for (const auto& s : series_)
    for (double v : s.values) t += v;
  return t;
}

void BarChart::onPaint(wxPaintEvent&) {
  wxAutoBufferedPaintDC dc(this);
  dc.SetBackground(wxBrush(wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOW)));
  dc.Clear();
  std::unique_ptr<wxGraphicsContext> gc(wxGraphicsContext::Create(dc));
  if (!gc) return;
  const wxSize size = GetClientSize();
  const double left = FromDIP(44), right = FromDIP(12), top = FromDIP(28), bottom = FromDIP(34);
  const double w = size.x - left - right, h = size.y - top - bottom;
  const wxColour text = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT);
  gc->SetFont(GetFont().Bold(), text);
  gc->DrawText(title_, left, FromDIP(4));
  // Legend at the top right.
  double lx = size.x - right;
  gc->SetFont(GetFont(), text);
  for (auto it = series_.rbegin(); it != series_.rend(); ++it) {
    double tw = 0, th = 0;
    gc->GetTextExtent(it->label, &tw, &th);
    lx -= tw + FromDIP(22);
    gc->SetBrush(wxBrush(it->colour));
    gc->SetPen(*wxTRANSPARENT_PEN);
    gc->DrawRectangle(lx, FromDIP(8), FromDIP(10), FromDIP(10));
    gc->DrawText(it->label, lx + FromDIP(14), FromDIP(5));
  }
  double max = 1;
  for (std::size_t d = 0; d < days_.size(); ++d) {
    double sum = 0;
    for (const auto& s : series_) sum += d < s.values.size() ? s.values[d] : 0;
    max = std::max(max, sum);
  }
  // Axis with the maximum and zero.
  gc->SetPen(wxPen(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT)));
  gc->StrokeLine(left, top + h, left + w, top + h);
  gc->SetFont(GetFont().Smaller(), wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
  gc->DrawText(wxString::Format("%.0f", max), FromDIP(4), top - FromDIP(6));
  gc->DrawText("0", FromDIP(4), top + h - FromDIP(8));
  if (days_.empty()) {
    gc->DrawText(_("No data in this period"), left + w / 2 - FromDIP(60), top + h / 2);
    return;
  }
  const double slot = w / days_.size();
  const double barW = std::max(2.0, slot * 0.7);
  const std::size_t labelEvery = std::max<std::size_t>(1, days_.size() / 8);
  for (std::size_t d = 0; d < days_.size(); ++d) {
    double y = top + h;
    for (const auto& s : series_) {
      const double v = d < s.values.size() ? s.values[d] : 0;
      const double bh = h * v / max;
      gc->SetBrush(wxBrush(s.colour));
      gc->SetPen(*wxTRANSPARENT_PEN);
      gc->DrawRectangle(left + d * slot + (slot - barW) / 2, y - bh, barW, bh);
      y -= bh;
    }
    if (d % labelEvery == 0) gc->DrawText(days_[d].Mid(5), left + d * slot, top + h + FromDIP(4));
  }
}

DashboardDialog::DashboardDialog(wxWindow* parent, ws::Session& session)
    : wxDialog(parent, wxID_ANY, _("rxdesk — figures"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  auto* header = new wxBoxSizer(wxHORIZONTAL);
  header->Add(makeHeading(this, _("The pharmacy's figures"), 3), 0, wxALIGN_CENTER_VERTICAL);
  header->AddStretchSpacer();
  wxArrayString periods;
  periods.Add(_("Last 7 days"));
  periods.Add(_("Last 30 days"));
  periods.Add(_("Last 90 days"));
  period_ = new wxChoice(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, periods);
  period_->SetSelection(1);
  header->Add(period_, 0, wxALIGN_CENTER_VERTICAL);
  top->Add(header, 0, wxEXPAND | wxALL, 10);
  decisions_ = new BarChart(this, _("Review decisions per day"));
  consultations_ = new BarChart(this, _("Consultations per day"));
  top->Add(decisions_, 1, wxEXPAND | wxLEFT | wxRIGHT, 10);
  top->Add(consultations_, 1, wxEXPAND | wxALL, 10);
  lists_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  top->Add(lists_, 0, wxEXPAND | wxLEFT | wxRIGHT, 10);
  error_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
  error_->SetForegroundColour(*wxRED);
  top->Add(error_, 0, wxALL, 10);
  top->Add(makeCloseButton(this), 0, wxALIGN_RIGHT | wxALL, 10);
  SetSizerAndFit(top);
  CentreOnParent();
  period_->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) {
    static const int kDays[] = {7, 30, 90};
    showPeriod(kDays[period_->GetSelection()]);
  });
  showPeriod(30);
}

void DashboardDialog::showPeriod(int days) {
  const std::string to = datePart(chinaTime(utcTimestamp()));
  auto first = *toDays(to) - std::chrono::days(days - 1);
  auto report = ws::makeReport(session_, fromDays(first), to);
  if (!report) {
    error_->SetLabel(explain(report.status()));
    return;
  }
  error_->SetLabel(wxEmptyString);
  std::vector<wxString> labels;
  std::map<std::string, std::size_t> index;
  for (int d = 0; d < days; ++d) {
    const std::string day = fromDays(first + std::chrono::days(d));
    index[day] = labels.size();
    labels.push_back(toWx(day));
  }
  auto series = [&](const char* figure, const std::string& of, const wxString& label,
                    const wxColour& colour) {
    BarChart::Series s{label, colour, std::vector<double>(labels.size(), 0)};
    for (const auto& row : report->figures[figure])
      if ((of.empty() || row.key2 == of) && index.count(row.key))
        s.values[index[row.key]] += static_cast<double>(row.count);
    return s;
  };
  decisions_->setData(
      labels, {series("decisions_per_day", "approve", _("approved"), wxColour(46, 139, 87)),
               series("decisions_per_day", "ask", _("asked"), wxColour(230, 160, 40)),
               series("decisions_per_day", "reject", _("rejected"), wxColour(200, 60, 50))});
  consultations_->setData(
      labels, {series("consultations_per_day", "", _("consultations"), wxColour(60, 110, 190))});
  // Each figure's keys as a person reads them: reason codes and verdicts translated, users by
  // their display names.
  using Label = std::function<wxString(const std::string&)>;
  const Label asIs = [](const std::string& k) { return toWx(k); };
  auto list = [&](const char* figure, const wxString& title, const Label& key, const Label& key2) {
    wxString out = title + ": ";
    const auto& rows = report->figures[figure];
    if (rows.empty()) return out + _("none") + "\n";
    for (std::size_t i = 0; i < rows.size() && i < 6; ++i)
      out += (i ? "; " : "") + key(rows[i].key) +
             (rows[i].key2.empty() ? wxString() : " " + key2(rows[i].key2)) +
             wxString::Format(" ×%lld", static_cast<long long>(rows[i].count));
    return out + "\n";
  };
  const Label reason = [](const std::string& k) { return reasonLabel(k); };
  const Label verdict = [](const std::string& k) { return verdictLabel(k); };
  const Label person = [this](const std::string& k) { return toWx(session_.shownName(k)); };
  lists_->SetLabel(
      list("rejection_reasons", _("Rejection reasons"), reason, asIs) +
      list("reuse_alerts_per_day", _("Reuse alerts"), asIs, verdict) +
      list("reuse_overrules", _("Reuse suspicions overruled"), person, asIs) +
      list("signature_failures_by_provider", _("Signature failures by provider"), asIs, asIs) +
      chainAlerts());
  lists_->Wrap(FromDIP(760));
  Layout();
}

// Hand-outs made at two stores of the chain while they were apart (docs/registry.md), all of them:
// each wants the supervisor's attention until it is settled.
wxString DashboardDialog::chainAlerts() {
  ws::ChainService chain(session_);
  if (!chain.joined()) return wxString();
  auto alerts = chain.alerts();
  if (!alerts) return _("Chain alerts: ") + explainInline(alerts.status()) + "\n";
  wxString out = _("Chain alerts (handed out at two stores while apart): ");
  if (alerts->empty()) return out + _("none") + "\n";
  for (std::size_t i = 0; i < alerts->size(); ++i) {
    const auto& a = (*alerts)[i];
    out += (i ? "; " : "") +
           wxString::Format(_("%s at %s (record %lld, %s) and at %s (record %lld, %s)"),
                            a.kind == "package" ? _("a package") : _("a prescription"),
                            toWx(a.firstStore), static_cast<long long>(a.firstLocal),
                            toWx(chinaTime(a.firstAt)), toWx(a.secondStore),
                            static_cast<long long>(a.secondLocal), toWx(chinaTime(a.secondAt)));
  }
  return out + "\n";
}

wxString DashboardDialog::listsText() const { return lists_->GetLabel(); }

}  // namespace rx::gui
