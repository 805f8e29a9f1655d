// Where rxdesk keeps its files on this machine. Each store lives alone in a folder of its own
// (mode 0700): nothing but rxdesk opens files there, since a file dialog or a file manager that
// opens a store's file and closes it again drops SQLite's locks on it in that process (SQLite's
// "How To Corrupt" §2.2), after which two processes can corrupt the store.
#pragma once

#include <string>

namespace rx::ws {

// Returns the user's rxdesk data folder: $XDG_DATA_HOME/rxdesk, else ~/.local/share/rxdesk.
std::string dataFolder();
// Returns the default store path: <data folder>/store/store.rxdb.
std::string defaultStorePath();
// Returns the demo store path: <data folder>/demo/demo.rxdb.
std::string demoStorePath();
// Returns the folder of the demo's files to present: <data folder>/demo-files.
std::string demoFilesFolder();
// Creates `folder` (and parents) with mode 0700 if missing; returns false if it cannot.
bool ensurePrivateFolder(const std::string& folder);

// A store that an older rxdesk kept at `legacyPath` (directly in the data folder, beside the
// user's files) is moved to `path`, in its own folder, when no program has it open. Returns the
// path to use: `path`, or `legacyPath` while it cannot be moved yet.
std::string adoptLegacyStore(const std::string& legacyPath, const std::string& path);
// defaultStorePath() and demoStorePath(), after adopting a store from its older place.
std::string defaultStorePathAdopted();
std::string demoStorePathAdopted();

}  // namespace rx::ws
