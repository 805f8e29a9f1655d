// Layout pieces the dialogs build the same way: labelled form rows and the red error line.
#pragma once

#include <wx/defs.h>
#include <wx/string.h>

#include <initializer_list>
#include <utility>

class wxFlexGridSizer;
class wxStaticText;
class wxWindow;

namespace rx::gui {

// Adds each (label, control) to the two-column `grid`: the label, on `parent`, with `labelFlags`
// and `labelBorder`, then the control stretched to the column's width.
void addLabelledRows(wxFlexGridSizer* grid, wxWindow* parent,
                     std::initializer_list<std::pair<wxString, wxWindow*>> rows,
                     int labelFlags = wxALIGN_CENTER_VERTICAL, int labelBorder = 0);

// Returns an empty line of text, in red, where a dialog says what went wrong.
wxStaticText* makeErrorLine(wxWindow* parent);

// Shows `text` in `line`, wrapped at `wrapWidth` DIPs, and lays the line's window out again (the
// text may take more lines). Returns `text`.
wxString showErrorLine(wxStaticText* line, const wxString& text, int wrapWidth);

}  // namespace rx::gui
