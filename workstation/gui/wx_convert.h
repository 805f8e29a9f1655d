// The one place where std::string (UTF-8) and wxString meet.
#pragma once

#include <functional>

#include <wx/string.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "base/status.h"

class wxButton;
class wxDataViewListCtrl;
class wxDialog;
class wxStaticText;
class wxWindow;

namespace rx::gui {

inline wxString toWx(const std::string& utf8) {
  return wxString::FromUTF8(utf8.data(), utf8.size());
}
inline std::string fromWx(const wxString& s) {
  const wxScopedCharBuffer buf = s.utf8_str();
  return std::string(buf.data(), buf.length());
}

// Returns the role name as the user should read it, translated.
wxString roleLabel(const std::string& role);

// Returns a bold heading `points` larger than the normal text, for window and section titles.
wxStaticText* makeHeading(wxWindow* parent, const wxString& text, int points);
// The dialog's Close button, also pressed by Escape, labelled in rxdesk's language. (wxGTK draws a
// button with a stock id and its stock label — wxID_CLOSE "&Close" — with GTK's own label in the
// system's language, so a zh_CN rxdesk on an English desktop showed "Close".) The dialog ends
// with wxID_CLOSE when modal, else closes.
// A Close button (also Escape). `mayClose`, when given, is asked first in a modal dialog (a
// modeless one is closed with Close(), whose wxEVT_CLOSE_WINDOW handler asks).
wxButton* makeCloseButton(wxDialog* dialog, std::function<bool()> mayClose = {});

// A list of text rows, one row selectable, with `columns` (title, width in DIPs) and `size` in
// DIPs.
wxDataViewListCtrl* makeList(wxWindow* parent, int width, int height,
                             std::initializer_list<std::pair<wxString, int>> columns);

// An error as the pharmacist reads it: what kind of problem it is, in the user's language, then
// the service's own message as the detail for support. `headline`, when given, says what went
// wrong in this screen's words instead of the general one for the error's kind.
wxString explain(const Status& status, const wxString& headline = wxString());
// `text` with &, < and > escaped, for a control that renders Pango markup.
wxString markupEscaped(const wxString& text);
// The same on one line, for lists (the intake summary).
wxString explainInline(const Status& status, const wxString& headline = wxString());

// Appends text columns (title, width in DIPs: the width until fitColumnsToText) to `list`.
void appendTextColumns(wxDataViewListCtrl* list,
                       std::initializer_list<std::pair<wxString, int>> columns);
// Sizes each column of `list` to its title and the text of its widest cell, so that nothing is
// cut off and short texts leave room for long ones (call it after filling the rows).
void fitColumnsToText(wxDataViewListCtrl* list);

// A stored UTC timestamp as the counter reads it: Beijing time, "YYYY-MM-DD hh:mm".
wxString beijingTime(const std::string& utc);

}  // namespace rx::gui
