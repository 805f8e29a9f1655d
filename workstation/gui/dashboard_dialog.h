// The supervisor's figures as charts (issue: dashboards): decisions per day (approve / ask /
// reject stacked), consultations per day, and the lists behind them: rejection reasons, reuse
// alerts and overrules, signature failures by provider. Drawn with wxGraphicsContext from the
// same ws::makeReport figures `rxdesk-cli report` prints.
#pragma once

#include <wx/dialog.h>
#include <wx/panel.h>

#include <string>
#include <vector>

#include "workstation/report.h"
#include "workstation/session.h"

class wxChoice;
class wxStaticText;

namespace rx::gui {

// A bar chart: one bar per day, stacked series with their colours and a legend.
class BarChart : public wxPanel {
 public:
  struct Series {
    wxString label;
    wxColour colour;
    std::vector<double> values;  // one per day
  };
  BarChart(wxWindow* parent, const wxString& title);
  void setData(std::vector<wxString> days, std::vector<Series> series);
  int bars() const { return static_cast<int>(days_.size()); }
  double total() const;

 private:
  void onPaint(wxPaintEvent&);
  wxString title_;
  std::vector<wxString> days_;
  std::vector<Series> series_;
};

class DashboardDialog : public wxDialog {
 public:
  DashboardDialog(wxWindow* parent, ws::Session& session);
  // Shows the figures for the last `days` days up to today (Beijing dates).
  void showPeriod(int days);
  BarChart* decisionsChart() const { return decisions_; }
  BarChart* consultationsChart() const { return consultations_; }
  wxString listsText() const;

 private:
  wxString chainAlerts();
  ws::Session& session_;
  wxChoice* period_;
  BarChart* decisions_;
  BarChart* consultations_;
  wxStaticText* lists_;
  wxStaticText* error_;
};

}  // namespace rx::gui
