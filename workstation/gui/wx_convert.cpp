#include "wx_convert.h"

#include "base/time.h"
#include "service_message.h"

#include <wx/button.h>
#include <wx/dataview.h>
#include <wx/dialog.h>
#include <wx/intl.h>
#include <wx/stattext.h>

#include <algorithm>

namespace rx::gui {

wxString roleLabel(const std::string& role) {
  if (role == "pharmacist") return _("pharmacist");
  if (role == "supervisor") return _("supervisor");
  if (role == "admin") return _("administrator");
  return toWx(role);
}

wxStaticText* makeHeading(wxWindow* parent, const wxString& text, int points) {
  auto* heading = new wxStaticText(parent, wxID_ANY, text);
  wxFont font = heading->GetFont();
  font.SetPointSize(font.GetPointSize() + points);
  font.SetWeight(wxFONTWEIGHT_BOLD);
  heading->SetFont(font);
  return heading;
}

wxButton* makeCloseButton(wxDialog* dialog, std::function<bool()> mayClose) {
  auto* close = new wxButton(dialog, wxID_ANY, _("&Close"));
  close->Bind(wxEVT_BUTTON, [dialog, mayClose = std::move(mayClose)](wxCommandEvent&) {
    if (!dialog->IsModal())
      dialog->Close();
    else if (!mayClose || mayClose())
      dialog->EndModal(wxID_CLOSE);
  });
  dialog->SetEscapeId(close->GetId());
  return close;
}

wxDataViewListCtrl* makeList(wxWindow* parent, int width, int height,
                             std::initializer_list<std::pair<wxString, int>> columns) {
  auto* list =
      new wxDataViewListCtrl(parent, wxID_ANY, wxDefaultPosition,
                             parent->FromDIP(wxSize(width, height)), wxDV_ROW_LINES | wxDV_SINGLE);
  appendTextColumns(list, columns);
  return list;
}

void appendTextColumns(wxDataViewListCtrl* list,
                       std::initializer_list<std::pair<wxString, int>> columns) {
  for (const auto& [title, w] : columns)
    list->AppendTextColumn(title, wxDATAVIEW_CELL_INERT, list->FromDIP(w));
}

namespace {
wxString generalHeadline(const Status& status) {
  wxString headline;
  switch (status.code()) {
    case ErrorCode::kOk:
      return wxString();
    case ErrorCode::kInvalidArgument:
      headline = _("Something entered was not accepted.");
      break;
    case ErrorCode::kNotFound:
      headline = _("What was asked for is not there.");
      break;
    case ErrorCode::kAlreadyExists:
      headline = _("This already exists.");
      break;
    case ErrorCode::kAuthFailed:
      headline = _("The password is not right.");
      break;
    case ErrorCode::kUnknownUser:
      headline = _("There is no such user.");
      break;
    case ErrorCode::kLockedOut:
      headline = _("Too many wrong passwords: wait a moment, then try again.");
      break;
    case ErrorCode::kPermissionDenied:
      headline = _("Your role may not do this.");
      break;
    case ErrorCode::kCorrupt:
      headline = _("A file or record is damaged, or is not what it claims to be.");
      break;
    case ErrorCode::kIo:
      headline =
          _("A file could not be read or written (is the disk full or removed?). Nothing of "
            "this was saved.");
      break;
    case ErrorCode::kUnsupported:
      headline = _("This version or format cannot be used.");
      break;
    case ErrorCode::kConflict:
      headline = _("This cannot be done in the current state.");
      break;
    case ErrorCode::kBadSignature:
      headline = _("A signature does not verify.");
      break;
    case ErrorCode::kInternal:
      headline = _("rxdesk met an unexpected error. Saved work is kept.");
      break;
    case ErrorCode::kBusy:
      headline = _("Another program has the store open: close it first, then try again.");
      break;
    case ErrorCode::kUnavailable:
      headline = _("The chain registry cannot be reached now; the counter goes on offline.");
      break;
    case ErrorCode::kCancelled:
      headline = _("Cancelled; nothing was left half-done.");
      break;
  }
  return headline;
}
}  // namespace

wxString explain(const Status& status, const wxString& headline) {
  if (status.isOk()) return wxString();
  return (headline.empty() ? generalHeadline(status) : headline) + "\n" +
         wxString::Format(_("Detail: %s"), serviceMessage(status.message()));
}

wxString explainInline(const Status& status, const wxString& headline) {
  if (status.isOk()) return wxString();
  return (headline.empty() ? generalHeadline(status) : headline) + " " +
         wxString::Format(_("(detail: %s)"), serviceMessage(status.message()));
}

wxString beijingTime(const std::string& utc) { return toWx(readableTime(utc)); }

namespace {
// What a list cell shows: `cell` itself, or when it is Pango markup ("<span…>…</span>") its text
// without the tags; `bold` says whether it is drawn bold.
wxString textOfMarkup(const wxString& cell, bool& bold) {
  bold = false;
  if (!cell.StartsWith("<")) return cell;
  bold = cell.Contains("weight='bold'");
  wxString out;
  bool inTag = false;
  for (const auto c : cell) {
    if (c == '<' || c == '>')
      inTag = c == '<';
    else if (!inTag)
      out += c;
  }
  out.Replace("&lt;", "<");
  out.Replace("&gt;", ">");
  out.Replace("&amp;", "&");
  return out;
}
}  // namespace

void fitColumnsToText(wxDataViewListCtrl* list) {
  const wxFont bold = list->GetFont().Bold();
  // Room for the cell's own padding on both sides and the grid line.
  const int padding = list->FromDIP(16);
  for (unsigned col = 0; col < list->GetColumnCount(); ++col) {
    wxDataViewColumn* column = list->GetColumn(col);
    int widest = 0;
    // The header, measured bold as some themes draw it.
    list->GetTextExtent(column->GetTitle(), &widest, nullptr, nullptr, nullptr, &bold);
    for (int row = 0; row < list->GetItemCount(); ++row) {
      bool isBold = false;
      const wxString text = textOfMarkup(list->GetTextValue(row, col), isBold);
      int width = 0;
      list->GetTextExtent(text, &width, nullptr, nullptr, nullptr, isBold ? &bold : nullptr);
      widest = std::max(widest, width);
    }
    // Set, not compared with GetWidth(): GTK reports a column's width only once it is drawn.
    column->SetWidth(widest + padding);
  }
}

wxString markupEscaped(const wxString& text) {
  wxString out;
  for (const auto c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

}  // namespace rx::gui
