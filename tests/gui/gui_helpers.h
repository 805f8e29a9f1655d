// What the GUI tests share: running the event loop until something holds, showing a window on
// the screen (and checking it fits), destroying one, and taking a screenshot.
#pragma once

#include <gtest/gtest.h>

#include <wx/app.h>
#include <wx/display.h>
#include <wx/window.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

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

}  // namespace rx::gui
