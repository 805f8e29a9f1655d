// A row above the queue for long work the window does not wait on — taking files in, a backup, an
// export: what is being done, a gauge, and a Cancel button. Hidden when nothing runs.
#pragma once

#include <wx/panel.h>

#include <functional>

class wxButton;
class wxGauge;
class wxStaticText;

namespace rx::gui {

class ProgressRow : public wxPanel {
 public:
  // `cancel` runs when the button is pressed (the button is then disabled until the next start).
  ProgressRow(wxWindow* parent, const wxString& cancelLabel, std::function<void()> cancel);

  // Shows the row with `text`, the gauge at 0 of `range`, the button enabled.
  void start(const wxString& text, int range);
  void say(const wxString& text);
  void advance(int value);  // the gauge's position, of the range given to start()
  // Says `text` and disables the button: a cancel asked for, the work finishing what it holds.
  void cancelling(const wxString& text);
  void finish();  // hides the row

  wxString text() const;
  wxButton* cancelButton() const { return cancel_; }

 private:
  wxStaticText* text_ = nullptr;
  wxGauge* gauge_ = nullptr;
  wxButton* cancel_ = nullptr;
};

}  // namespace rx::gui
