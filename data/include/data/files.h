// Small file helpers with the durability the store needs.
#pragma once

#include <string>

#include "base/status.h"

namespace rx::data {

// Writes `contents` to `path` atomically: a temporary file in the same folder, fsync, rename over
// `path`, fsync of the folder. After a crash `path` holds either the old or the new contents.
Status writeFileAtomically(const std::string& path, const std::string& contents, int mode = 0600);

// Reads a whole file (at most `maxBytes`); kNotFound if it does not exist.
Result<std::string> readWholeFile(const std::string& path, std::size_t maxBytes = 16u << 20);

// Returns true iff `path` names an existing file.
bool fileExists(const std::string& path);

// fsyncs the folder holding `path`, so that a rename into it is durable.
Status syncParentFolder(const std::string& path);

}  // namespace rx::data
