// What writing, checking and restoring a backup share: the file's framing, owner-only files.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/hash.h"
#include "workstation/backup.h"

namespace rx::ws::backup_internal {

// A backup file: kMagic, a JSON header line, the store's bytes, the key slots' bytes, then
// kTrailer with the hex SHA-256 of everything before it and a newline.
inline constexpr std::string_view kMagic = "RXDESK-BACKUP-1\n";
inline constexpr std::string_view kTrailer = "RXDESK-END ";

// Returns the hex digest of what `h` was given (and starts it over).
inline std::string hexDigest(crypto::Sha256Stream& h) { return crypto::toHex(h.finish()); }

// Creates `path` for writing, owner-only from the first byte, never through a link, never over
// an existing file.
Status createPrivateFile(const std::string& path, std::ofstream& out);

// Verifies the backup at `path` fully; when `storeOut`/`keysOut` are given, also extracts its
// two parts to them (owner-only, never over a file).
Result<BackupInfo> verifyAndExtract(const std::string& path, const std::string* storeOut,
                                    const std::string* keysOut);

}  // namespace rx::ws::backup_internal
