#include "base/process.h"
#include "gui_app.h"
#include "ocr/runtime.h"

wxIMPLEMENT_APP_NO_MAIN(rx::gui::RxdeskApp);

int main(int argc, char** argv) {
  rx::protectProcess();
  // Before anything loads OpenMP-using code paths: see ocr/runtime.h.
  rx::ocr::ensureSingleThreadedOpenMp(argv);
  return wxEntry(argc, argv);
}
