// Where rxdesk keeps its files on this machine.
#pragma once

#include <string>

namespace rx::ws {

// Returns the user's rxdesk data folder: $XDG_DATA_HOME/rxdesk, else ~/.local/share/rxdesk.
std::string dataFolder();
// Returns the default store path: <data folder>/store.rxdb.
std::string defaultStorePath();
// Returns the demo store path: <data folder>/demo.rxdb.
std::string demoStorePath();
// Creates `folder` (and parents) with mode 0700 if missing; returns false if it cannot.
bool ensurePrivateFolder(const std::string& folder);

}  // namespace rx::ws
