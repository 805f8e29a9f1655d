// Text that people type or that comes from file names, checked before it is stored, signed or
// printed: valid UTF-8 (JSON, the audit chain and signatures need it), no control characters, and
// within a field's size limit, so a pasted megabyte or a stray byte is refused naming the field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/utf8.h"

namespace rx {

inline constexpr std::size_t kMaxShortText = 200;  // a name, a number, a field value, a reason code
inline constexpr std::size_t kMaxNoteText = 4000;  // a note, an overrule reason, a comment

// kInvalidArgument naming `field` when `value` is over `maxBytes`, is not UTF-8, or holds a control
// character (line breaks and tabs are allowed when `multiline`).
inline Status checkText(std::string_view field, std::string_view value, std::size_t maxBytes,
                        bool multiline = false) {
  if (value.size() > maxBytes)
    return Status(ErrorCode::kInvalidArgument,
                  std::string(field) + " is " + std::to_string(value.size()) +
                      " bytes long; at most " + std::to_string(maxBytes) + " are accepted");
  if (!isValidUtf8(value))
    return Status(ErrorCode::kInvalidArgument,
                  std::string(field) + " is not UTF-8 text (\"" +
                      utf8OrEscaped(value.substr(0, 60)) +
                      "\"); check the keyboard or the file's encoding");
  for (char ch : value) {
    const auto c = static_cast<std::uint8_t>(ch);
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7F)
      return Status(ErrorCode::kInvalidArgument,
                    std::string(field) + " holds a control character (code " + std::to_string(c) +
                        ")" + (multiline ? "" : "; it must be a single line"));
  }
  return Status::ok();
}

// As checkText, and kInvalidArgument when `value` is empty or only spaces (ASCII or the
// full-width 　 of Chinese input methods): a reason that must be given.
inline Status checkRequiredText(std::string_view field, std::string_view value,
                                std::size_t maxBytes, bool multiline = false) {
  std::string_view rest = value;
  while (!rest.empty()) {
    if (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\n' || rest.front() == '\r')
      rest.remove_prefix(1);
    else if (rest.substr(0, 3) == "\xE3\x80\x80")  // U+3000 ideographic space
      rest.remove_prefix(3);
    else
      break;
  }
  if (rest.empty()) return Status(ErrorCode::kInvalidArgument, std::string(field) + " is required");
  return checkText(field, value, maxBytes, multiline);
}

}  // namespace rx
