// A yes/no question in a message box, No the default. Tests answer the next questions themselves
// (no box is shown then) and read what was asked.
#pragma once

#include <wx/string.h>

class wxWindow;

namespace rx::gui {

bool askYesNo(wxWindow* parent, const wxString& question, const wxString& title);

// Tests, UI thread: the next question is answered `yes` without a box; the questions asked so.
void answerNextForTests(bool yes);
wxString lastQuestionForTests();

}  // namespace rx::gui
