#include <cstdlib>

#include "base/process.h"
#include "gui_app.h"
#include "ocr/runtime.h"

wxIMPLEMENT_APP_NO_MAIN(rx::gui::RxdeskApp);

int main(int argc, char** argv) {
  rx::protectProcess();
  // rxdesk draws with cairo and never uses OpenGL, but GTK 3 picks its X11 visual by asking GLX,
  // which loads the GL driver (with Mesa's llvmpipe, libLLVM: ~53 MB resident at the login window,
  // measured). Not when the user has chosen otherwise.
  setenv("GDK_GL", "disable", /*overwrite=*/0);
  // Before anything loads OpenMP-using code paths: see ocr/runtime.h.
  rx::ocr::ensureSingleThreadedOpenMp(argv);
  return wxEntry(argc, argv);
}
