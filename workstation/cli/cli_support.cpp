#include "cli_support.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "base/utf8.h"
#include "data/files.h"

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
    case ErrorCode::kBusy:
      return Exit::kBusy;
    case ErrorCode::kUnavailable:
      return Exit::kUnavailable;
    case ErrorCode::kCancelled:
      return Exit::kCancelled;
  }
  return Exit::kInternal;
}

std::string exitCodeHelp() {
  return "Exit codes:\n"
         "  0 success            1 internal error      2 bad arguments\n"
         "  3 not found          4 wrong password      5 unknown user\n"
         "  6 locked out (wait)  7 permission denied   8 corrupt or foreign file\n"
         "  9 I/O error          10 conflict/exists    11 unsupported version\n"
         "  12 bad signature     13 store in use by another program (close it first)\n"
         "  14 chain registry unreachable (the counter goes on offline)\n"
         "  130 interrupted (Ctrl+C, SIGTERM): a backup or export stopped, nothing left behind\n"
         "Passwords: from the terminal (no echo), or $RXDESK_PASSWORD / $RXDESK_NEW_PASSWORD for "
         "scripts.";
}

namespace {
std::atomic<bool> interrupted{false};
void onInterrupt(int) { interrupted = true; }
}  // namespace

Interruption::Interruption() {
  interrupted = false;
  struct sigaction on {};
  on.sa_handler = onInterrupt;
  // A read or write under way goes on (the work stops at its next check); the handler is used
  // once, so a second Ctrl+C ends the program at once.
  on.sa_flags = SA_RESTART | SA_RESETHAND;
  sigemptyset(&on.sa_mask);
  ::sigaction(SIGINT, &on, &previousInt_);
  ::sigaction(SIGTERM, &on, &previousTerm_);
  relay_ = std::jthread([this](std::stop_token own) {
    while (!own.stop_requested()) {
      if (interrupted) {
        source_.request_stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

Interruption::~Interruption() {
  ::sigaction(SIGINT, &previousInt_, nullptr);
  ::sigaction(SIGTERM, &previousTerm_, nullptr);
}

bool Interruption::requested() const { return interrupted; }

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

void wipe(std::string& text) {
  // Through a volatile pointer, so the wipe is not optimised away.
  volatile char* p = text.data();
  for (std::size_t i = 0; i < text.capacity(); ++i) p[i] = 0;
}

Password::~Password() { wipe(text_); }

bool Password::push(char c) {
  if (text_.size() >= kMax) return false;
  text_.push_back(c);
  return true;
}

Password passwordFrom(std::string_view text) {
  Password p;
  for (char c : text)
    if (!p.push(c)) break;
  return p;
}

namespace {
// Reads one line from the controlling terminal with echo off; without one, the error names the
// variable `envVar` a script sets instead.
Result<Password> readHidden(const std::string& prompt, const char* envVar) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return Status(ErrorCode::kInvalidArgument, std::string("no terminal to read the password from; "
                                                           "set ") +
                                                   envVar + " (meant for scripts)");
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  Password line;
  bool tooLong = false;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') tooLong = !line.push(c) || tooLong;
  c = 0;
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  ::close(fd);
  if (tooLong)
    return Status(ErrorCode::kInvalidArgument,
                  "the password is longer than " + std::to_string(Password::kMax) + " characters");
  return line;
}
}  // namespace

Result<Password> loginPassword(const std::string& user) {
  if (const char* env = std::getenv("RXDESK_PASSWORD")) return passwordFrom(env);
  return readHidden("Password for " + user + ": ", "RXDESK_PASSWORD");
}

Result<Password> newPassword(const std::string& whose, const char* envVar) {
  if (const char* env = std::getenv(envVar)) {
    if (!*env) return Status(ErrorCode::kInvalidArgument, std::string("$") + envVar + " is empty");
    return passwordFrom(env);
  }
  RX_ASSIGN_OR_RETURN(Password first, readHidden("New password for " + whose + ": ", envVar));
  RX_ASSIGN_OR_RETURN(Password second, readHidden("Repeat the new password: ", envVar));
  if (first.view() != second.view())
    return Status(ErrorCode::kInvalidArgument, "the two passwords differ");
  if (first.empty()) return Status(ErrorCode::kInvalidArgument, "the password must not be empty");
  return first;
}

Result<std::map<std::string, std::string>> readFieldValues(const std::string& from,
                                                           const std::set<std::string>& allowed) {
  constexpr std::size_t kMax = 64 * 1024;
  std::string text;
  if (from == "-") {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      if (text.size() > kMax)
        return Status(ErrorCode::kInvalidArgument, "standard input is longer than 64 KiB");
    }
  } else {
    RX_ASSIGN_OR_RETURN(text, data::readWholeFile(from, kMax));
  }
  const std::string name = from == "-" ? std::string("standard input") : from;
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    const std::string field = eq == std::string::npos ? line : line.substr(0, eq);
    if (eq == std::string::npos || eq == 0)
      return Status(ErrorCode::kInvalidArgument,
                    name + ", line " + std::to_string(number) + ": expected FIELD=VALUE");
    if (!allowed.empty() && !allowed.count(field)) {
      std::string names;
      for (const std::string& a : allowed) names += (names.empty() ? "" : ", ") + a;
      return Status(ErrorCode::kInvalidArgument, name + ", line " + std::to_string(number) +
                                                     ": unknown field '" + field + "' (one of " +
                                                     names + ")");
    }
    out[field] = line.substr(eq + 1);
  }
  return out;
}

}  // namespace rx::cli
