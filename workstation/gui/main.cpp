#include "gui_app.h"

wxIMPLEMENT_APP(rx::gui::RxdeskApp);
