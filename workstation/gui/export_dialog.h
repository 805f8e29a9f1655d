// File ▸ Export for inspectors…: the period (two date pickers, last month preselected), whether to
// mask patient names and ID numbers, and the empty folder to write to.
#pragma once

#include <wx/dialog.h>

#include <string>

class wxCheckBox;
class wxDatePickerCtrl;
class wxDirPickerCtrl;
class wxStaticText;

namespace rx::gui {

class ExportDialog : public wxDialog {
 public:
  // `today`: YYYY-MM-DD in the pharmacy's time zone; the last whole month before it is chosen.
  ExportDialog(wxWindow* parent, const std::string& today);

  std::string from() const;  // YYYY-MM-DD
  std::string to() const;
  bool maskPatients() const;
  std::string folder() const;
  void setPeriod(const std::string& from, const std::string& to);
  void setFolder(const std::string& folder);
  // What OK checks: the error shown, empty when the choice can be exported.
  wxString validate();

 private:
  wxDatePickerCtrl* from_ = nullptr;
  wxDatePickerCtrl* to_ = nullptr;
  wxCheckBox* mask_ = nullptr;
  wxDirPickerCtrl* folder_ = nullptr;
  wxStaticText* error_ = nullptr;
};

// The last whole month before `today` (YYYY-MM-DD): its first and last day.
std::pair<std::string, std::string> previousMonth(const std::string& today);

}  // namespace rx::gui
