// Start-up of the workstation: language, store choice, login, main window.
#pragma once

#include <wx/app.h>

#include <wx/string.h>
#include <string>
#include <vector>

namespace rx::gui {

// Sets up wxTranslations with rxdesk's catalogue for `language` ("zh_CN", "en"; empty = the
// system language), looked up in <exe>/../share/locale. Returns the language actually used.
wxString setupTranslations(const wxString& language);

class RxdeskApp : public wxApp {
 public:
  bool OnInit() override;
  void OnInitCmdLine(wxCmdLineParser& parser) override;
  bool OnCmdLineParsed(wxCmdLineParser& parser) override;
  bool OnExceptionInMainLoop() override;
  // Notes keyboard and mouse input for the idle lock.
  int FilterEvent(wxEvent& event) override;

 private:
  bool demo_ = false;
  wxString db_;
  wxString language_;
  std::vector<std::string> takeIn_;  // files named on the command line
};

}  // namespace rx::gui
