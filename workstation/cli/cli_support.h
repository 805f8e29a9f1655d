// What every rxdesk-cli command shares: exit codes, output (text or --json), password input.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace rx::cli {

// Exit codes, documented in the README and in `rxdesk-cli --help`.
enum class Exit : int {
  kOk = 0,
  kInternal = 1,
  kUsage = 2,       // bad arguments
  kNotFound = 3,    // no store, file or record
  kAuthFailed = 4,  // wrong password
  kUnknownUser = 5,
  kLockedOut = 6,         // too many failed logins; wait
  kPermissionDenied = 7,  // the role does not allow it
  kCorrupt = 8,           // integrity check failed, damaged or foreign file
  kIo = 9,                // disk full, read-only, cannot write
  kConflict = 10,         // already exists, or the workflow does not allow it now
  kUnsupported = 11,      // wrong library or format version
  kBadSignature = 12,
};

Exit exitFor(ErrorCode code);
// The exit-code table as printed at the end of --help.
std::string exitCodeHelp();

struct GlobalOptions {
  std::string db;  // store path
  std::string user;
  bool json = false;
  bool verbose = false;
};

// One line of JSON; text that is not UTF-8 (a file name in GBK) is replaced, never a crash.
std::string jsonLine(const nlohmann::json& doc);
// Prints jsonLine(doc) on stdout and flushes (one object per input as it is done).
void printJson(const nlohmann::json& doc);
// {"code", "message"} of a failure, and the line printed for an input of a batch that failed.
nlohmann::json errorJson(const Status& status);
nlohmann::json inputErrorJson(const std::string& input, const Status& status);
// Prints `status` on stderr (and as {"ok":false,"error":{...}} on stdout with --json) and
// returns the exit code for it.
int reportError(const GlobalOptions& g, const Status& status);
// Prints `doc` (JSON mode) or `text` (otherwise) on stdout and returns 0.
int reportSuccess(const GlobalOptions& g, const nlohmann::json& doc, const std::string& text);

// Returns the login password: $RXDESK_PASSWORD if set (meant for scripts), else read from the
// terminal without echo. Never from the command line.
Result<std::string> loginPassword(const std::string& user);
// Returns a new password: $RXDESK_NEW_PASSWORD if set, else asked twice on the terminal.
Result<std::string> newPassword(const std::string& whose,
                                const char* envVar = "RXDESK_NEW_PASSWORD");

}  // namespace rx::cli
