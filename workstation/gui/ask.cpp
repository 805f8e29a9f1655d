#include "ask.h"

#include <wx/msgdlg.h>

#include <deque>

namespace rx::gui {

namespace {
std::deque<bool>& answers() {
  static std::deque<bool> queued;
  return queued;
}
wxString& lastQuestion() {
  static wxString asked;
  return asked;
}
}  // namespace

bool askYesNo(wxWindow* parent, const wxString& question, const wxString& title) {
  lastQuestion() = question;
  if (!answers().empty()) {
    const bool yes = answers().front();
    answers().pop_front();
    return yes;
  }
  return wxMessageBox(question, title, wxYES_NO | wxNO_DEFAULT | wxICON_QUESTION, parent) == wxYES;
}

void answerNextForTests(bool yes) { answers().push_back(yes); }

wxString lastQuestionForTests() { return lastQuestion(); }

}  // namespace rx::gui
