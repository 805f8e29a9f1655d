// Status and Result<T>: how every fallible rxdesk call reports an expected failure.
// An error is a value carrying a code (what kind of failure, for programs) and a message
// (what went wrong, naming the file, field or user, for people). Exceptions are kept for
// broken invariants and are caught once at the CLI/GUI boundary.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rx {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is malformed or out of range
  kNotFound,          // a file, record or user that was named does not exist
  kAlreadyExists,     // creating something that is already there
  kAuthFailed,        // wrong password or key
  kUnknownUser,       // no such user in this store
  kLockedOut,         // too many failed attempts; try later
  kPermissionDenied,  // the user's role does not allow the operation
  kCorrupt,           // a file or record failed an integrity check
  kIo,                // the operating system refused a read or write
  kUnsupported,       // a library or format version rxdesk cannot work with
  kConflict,          // the workflow state does not allow this now
  kBadSignature,      // a signature did not verify
  kInternal,          // a bug: an invariant did not hold
  kBusy,              // another program has the store open; it must be closed first
  kUnavailable,       // a server (the chain registry) could not be reached now; try again later
  kCancelled,         // stopped on the user's request (Cancel, Ctrl+C); nothing was left half-done
};

// Returns a short stable English name for `code` ("auth-failed"), used in JSON output.
constexpr std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid-argument";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kAlreadyExists:
      return "already-exists";
    case ErrorCode::kAuthFailed:
      return "auth-failed";
    case ErrorCode::kUnknownUser:
      return "unknown-user";
    case ErrorCode::kLockedOut:
      return "locked-out";
    case ErrorCode::kPermissionDenied:
      return "permission-denied";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kIo:
      return "io-error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kBadSignature:
      return "bad-signature";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  // Returns true iff this status carries no error.
  bool isOk() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return isOk(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with `context` ("opening store.rxdb: ...").
  Status withContext(std::string_view context) const {
    if (isOk()) return *this;
    return Status(code_, std::string(context) + ": " + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).isOk() && "a Result built from a Status must carry an error");
  }
  Result(ErrorCode code, std::string message) : state_(Status(code, std::move(message))) {}

  bool isOk() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return isOk(); }

  // Returns the error; an ok Status when the result holds a value.
  Status status() const { return isOk() ? Status() : std::get<Status>(state_); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace rx

// Returns early from the enclosing function with the error of a failed Status expression.
#define RX_RETURN_IF_ERROR(expr)               \
  do {                                         \
    ::rx::Status rx_status_ = (expr);          \
    if (!rx_status_.isOk()) return rx_status_; \
  } while (0)

#define RX_CONCAT_INNER(a, b) a##b
#define RX_CONCAT(a, b) RX_CONCAT_INNER(a, b)
// Declares `lhs` from a Result<T> expression, or returns its error from the enclosing function.
#define RX_ASSIGN_OR_RETURN(lhs, expr) \
  RX_ASSIGN_OR_RETURN_IMPL(RX_CONCAT(rx_result_, __LINE__), lhs, expr)
#define RX_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.isOk()) return tmp.status();          \
  lhs = std::move(tmp).value()
