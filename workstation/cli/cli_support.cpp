#include "cli_support.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "base/utf8.h"

namespace rx::cli {

Exit exitFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return Exit::kOk;
    case ErrorCode::kInvalidArgument:
      return Exit::kUsage;
    case ErrorCode::kNotFound:
      return Exit::kNotFound;
    case ErrorCode::kAuthFailed:
      return Exit::kAuthFailed;
    case ErrorCode::kUnknownUser:
      return Exit::kUnknownUser;
    case ErrorCode::kLockedOut:
      return Exit::kLockedOut;
    case ErrorCode::kPermissionDenied:
      return Exit::kPermissionDenied;
    case ErrorCode::kCorrupt:
      return Exit::kCorrupt;
    case ErrorCode::kIo:
      return Exit::kIo;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
      return Exit::kConflict;
    case ErrorCode::kUnsupported:
      return Exit::kUnsupported;
    case ErrorCode::kBadSignature:
      return Exit::kBadSignature;
    case ErrorCode::kInternal:
      return Exit::kInternal;
  }
  return Exit::kInternal;
}

std::string exitCodeHelp() {
  return "Exit codes:\n"
         "  0 success            1 internal error      2 bad arguments\n"
         "  3 not found          4 wrong password      5 unknown user\n"
         "  6 locked out (wait)  7 permission denied   8 corrupt or foreign file\n"
         "  9 I/O error          10 conflict/exists    11 unsupported version\n"
         "  12 bad signature\n"
         "Passwords: from the terminal (no echo), or $RXDESK_PASSWORD / $RXDESK_NEW_PASSWORD for "
         "scripts.";
}

std::string jsonLine(const nlohmann::json& doc) {
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void printJson(const nlohmann::json& doc) { std::cout << jsonLine(doc) << "\n" << std::flush; }

nlohmann::json errorJson(const Status& status) {
  return {{"code", std::string(errorCodeName(status.code()))}, {"message", status.message()}};
}

nlohmann::json inputErrorJson(const std::string& input, const Status& status) {
  return {{"input", utf8OrEscaped(input)}, {"ok", false}, {"error", errorJson(status)}};
}

int reportError(const GlobalOptions& g, const Status& status) {
  std::cerr << "rxdesk-cli: error: " << status.message() << "\n";
  if (g.json) {
    printJson({{"ok", false}, {"error", errorJson(status)}});
  }
  return static_cast<int>(exitFor(status.code()));
}

int reportSuccess(const GlobalOptions& g, const nlohmann::json& doc, const std::string& text) {
  if (g.json)
    printJson(doc);
  else
    std::cout << text;
  return 0;
}

namespace {
// Reads one line from the controlling terminal with echo off.
Result<std::string> readHidden(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return Status(ErrorCode::kInvalidArgument,
                  "no terminal to read the password from; set RXDESK_PASSWORD (meant for scripts)");
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  ::close(fd);
  return line;
}
}  // namespace

Result<std::string> loginPassword(const std::string& user) {
  if (const char* env = std::getenv("RXDESK_PASSWORD")) return std::string(env);
  return readHidden("Password for " + user + ": ");
}

Result<std::string> newPassword(const std::string& whose, const char* envVar) {
  if (const char* env = std::getenv(envVar)) {
    if (!*env) return Status(ErrorCode::kInvalidArgument, std::string("$") + envVar + " is empty");
    return std::string(env);
  }
  RX_ASSIGN_OR_RETURN(std::string first, readHidden("New password for " + whose + ": "));
  RX_ASSIGN_OR_RETURN(std::string second, readHidden("Repeat the new password: "));
  if (first != second) return Status(ErrorCode::kInvalidArgument, "the two passwords differ");
  if (first.empty()) return Status(ErrorCode::kInvalidArgument, "the password must not be empty");
  return first;
}

}  // namespace rx::cli
