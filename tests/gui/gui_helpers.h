// What the GUI tests share: running the event loop until something holds, showing a window on
// the screen (and checking it fits), destroying one, and taking a screenshot.
#pragma once

#include <gtest/gtest.h>

#include <wx/anybutton.h>
#include <wx/app.h>
#include <wx/checkbox.h>
#include <wx/ctrlsub.h>
#include <wx/dataview.h>
#include <wx/display.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/window.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "workstation/demo.h"
#include "workstation/setup.h"

namespace rx::gui {

// Runs the event loop until `done` holds or `seconds` pass; returns whether it held.
inline bool pumpUntil(const std::function<bool()>& done, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    wxTheApp->Yield(true);
    wxTheApp->ProcessPendingEvents();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Shows `window`, waits until the window manager has it on screen, and checks that it fits the
// screen: 1366×768, or the same at 200% (GDK_SCALE=2 on a 2732×1536 screen, test gui_200).
inline bool showOnScreen(wxWindow* window) {
  window->Show();
  if (!pumpUntil([&] { return window->IsShownOnScreen(); }, 10)) return false;
  const wxRect screen = wxDisplay(window).GetClientArea();
  // What the window's content needs, not its size: GTK shrinks a window to the screen and
  // clips what does not fit.
  const wxSize size = window->GetBestSize();
  EXPECT_LE(size.x, screen.width) << window->GetLabel().utf8_str() << " is wider than the screen";
  EXPECT_LE(size.y, screen.height) << window->GetLabel().utf8_str() << " is taller than the screen";
  return true;
}

// Destroys `window` and lets the event loop finish with it.
inline void destroy(wxWindow* window) {
  window->Destroy();
  pumpUntil([] { return false; }, 0.2);
}

// Latin words a Chinese window may show: names of keys, formats and codes, and the demo accounts'
// logins and display names (admin, pharmacist; Admin, 王药师 Wang (demo)).
inline const std::set<std::string> kCodesAndNames = {
    "Ctrl", "PDF", "USCC",  "OCR",   "jpg",        "png",       "Wang",
    "demo", "SM2", "admin", "Admin", "pharmacist", "supervisor"};

// The words of three or more Latin letters in `text`, markup tags left out, other than `allowed`.
// A run of letters and digits with a digit in it is a code (AG-1, a key id, a licence number).
inline std::set<std::string> latinWordsIn(const wxString& text,
                                          const std::set<std::string>& allowed) {
  static const std::regex tag("<[^>]*>"), token("[A-Za-z0-9+/=_-]+"), word("[A-Za-z]{3,}"),
      digit("[0-9]");
  std::set<std::string> found;
  const std::string plain = std::regex_replace(std::string(text.utf8_str()), tag, " ");
  for (std::sregex_iterator t(plain.begin(), plain.end(), token), end; t != end; ++t) {
    const std::string run = t->str();
    if (std::regex_search(run, digit)) continue;
    for (std::sregex_iterator it(run.begin(), run.end(), word); it != end; ++it)
      if (!allowed.count(it->str())) found.insert(it->str());
  }
  return found;
}

// The words of three or more Latin letters that `root` and its children show — labels, buttons,
// check boxes, read-only text and list cells, markup tags left out — other than `allowed` (codes
// and names such as PDF or Ctrl). In a Chinese window each is English a pharmacist should not meet.
inline std::set<std::string> latinWordsShown(wxWindow* root, const std::set<std::string>& allowed) {
  std::set<std::string> found;
  auto scan = [&](const wxString& text) { found.merge(latinWordsIn(text, allowed)); };
  std::function<void(wxWindow*)> visit = [&](wxWindow* w) {
    if (!w->IsShown()) return;
    if (auto* t = dynamic_cast<wxStaticText*>(w)) scan(t->GetLabel());
    if (auto* b = dynamic_cast<wxAnyButton*>(w)) scan(b->GetLabel());
    if (auto* c = dynamic_cast<wxCheckBox*>(w)) scan(c->GetLabel());
    if (auto* t = dynamic_cast<wxTextCtrl*>(w); t && !t->IsEditable()) scan(t->GetValue());
    if (auto* choice = dynamic_cast<wxItemContainerImmutable*>(w))
      for (unsigned i = 0; i < choice->GetCount(); ++i) scan(choice->GetString(i));
    if (auto* list = dynamic_cast<wxDataViewListCtrl*>(w))
      for (int row = 0; row < list->GetItemCount(); ++row)
        for (unsigned col = 0; col < list->GetColumnCount(); ++col)
          scan(list->GetTextValue(row, col));
    for (wxWindow* child : w->GetChildren()) visit(child);
  };
  visit(root);
  return found;
}

// The cells of `list` whose text does not fit their column, as "row 2, Reuse: ⚠ presented before,
// not handed out"; empty when every cell is shown whole. A Pango markup cell is measured as drawn
// (its text without tags, bold where bold); a cell needs room for its padding on both sides.
inline std::vector<std::string> cellsCutOff(wxDataViewListCtrl* list) {
  pumpUntil([] { return false; }, 0.3);  // GTK gives columns their widths when it lays them out
  static const std::regex tag("<[^>]*>");
  const wxFont bold = list->GetFont().Bold();
  std::vector<std::string> cut;
  for (int row = 0; row < list->GetItemCount(); ++row)
    for (unsigned col = 0; col < list->GetColumnCount(); ++col) {
      std::string text(list->GetTextValue(row, col).utf8_str());
      const bool markup = text.rfind("<", 0) == 0;
      const bool isBold = markup && text.find("weight='bold'") != std::string::npos;
      if (markup) text = std::regex_replace(text, tag, "");
      int width = 0;
      list->GetTextExtent(wxString::FromUTF8(text), &width, nullptr, nullptr, nullptr,
                          isBold ? &bold : nullptr);
      if (width + list->FromDIP(8) > list->GetColumn(col)->GetWidth())
        cut.push_back("row " + std::to_string(row) + ", " +
                      std::string(list->GetColumn(col)->GetTitle().utf8_str()) + ": " + text);
    }
  return cut;
}

// The access keys (the letter after &) that more than one shown button or check box under `root`
// has: Alt+that letter would press only one of them.
inline std::set<std::string> repeatedMnemonics(wxWindow* root) {
  std::set<std::string> seen, repeated;
  std::function<void(wxWindow*)> visit = [&](wxWindow* w) {
    if (!w->IsShown()) return;
    if (dynamic_cast<wxAnyButton*>(w) || dynamic_cast<wxCheckBox*>(w)) {
      const wxString label = w->GetLabel();
      for (size_t i = 0; i + 1 < label.size(); ++i) {
        if (label[i] != '&') continue;
        if (label[i + 1] == '&') {
          ++i;  // a literal &
          continue;
        }
        const wxString letter(1, label[i + 1]);
        const std::string key(letter.Lower().utf8_str());
        if (!seen.insert(key).second) repeated.insert(key);
        break;
      }
    }
    for (wxWindow* child : w->GetChildren()) visit(child);
  };
  visit(root);
  return repeated;
}

inline void screenshot(const std::string& name) {
  pumpUntil([] { return false; }, 0.6);                    // let the window manager map and paint
  const char* env = std::getenv("RXDESK_SCREENSHOT_DIR");  // the 200% run writes elsewhere
  const std::string dir = env ? env : RXDESK_SCREENSHOT_DIR;
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/" + name + ".png";
  const std::string cmd = "import -window root '" + file + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_GT(std::filesystem::file_size(file), 2000u) << file;
}

// Makes a store at `path` with the demo accounts (an admin and a pharmacist) and nothing else.
inline void storeWithDemoAccounts(const std::string& path) {
  ws::PharmacySetup setup;
  setup.admin = {ws::kDemoAdmin, data::Role::kAdmin, "Admin", std::nullopt};
  setup.adminPassword = ws::kDemoPassword;
  setup.pharmacist = data::NewUser{ws::kDemoPharmacist, data::Role::kPharmacist,
                                   "王药师 Wang (demo)", std::string("ZY-1")};
  setup.pharmacistPassword = ws::kDemoPassword;
  ASSERT_TRUE(ws::setUpPharmacy(path, setup).isOk());
}

}  // namespace rx::gui
