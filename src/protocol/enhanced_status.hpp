// Enhanced mail system status codes (RFC 3463, announced by ENHANCEDSTATUSCODES,
// RFC 2034): parse "5.1.1" out of an SMTP reply, validate it, and derive the
// default status from a bare reply code when the server sent none.
//
// Leaves to others: splitting a multi-line reply into lines (the SMTP reply
// codec); deciding what a status means for delivery (queue) or for the
// bouncelog (bounce_classify).
// Threading: pure functions and a value type; safe from any thread.
// Failure modes: a token that is not a valid status yields std::nullopt, never
// an exception. Valid means: class 2, 4 or 5; subject 0-7 (the subjects RFC
// 3463 defines); detail 0-999; each of subject and detail 1-3 digits. Leading
// zeros are accepted on input ("5.01.001") and dropped on output, as RFC 3464
// requires for the DSN Status field.
// Spec: reference/protocols.md §1.13 (RFC 3463, RFC 2034, RFC 3464 §2.3.4).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace impulse::protocol {

struct EnhancedStatus {
  int klass = 0;    // 2, 4 or 5
  int subject = 0;  // 0-7
  int detail = 0;   // 0-999

  // "5.1.1": canonical form, no leading zeros.
  std::string to_string() const;
  bool operator==(const EnhancedStatus&) const = default;
};

inline constexpr int kEnhancedMaxSubject = 7;
inline constexpr int kEnhancedMaxDetail = 999;

// Parses exactly one status token ("5.1.1"); anything else, including
// trailing characters, is nullopt.
std::optional<EnhancedStatus> parse_enhanced_status(std::string_view token);

// Extracts the status from the first line of a reply. Accepts
//   "550 5.1.1 text", "550-5.1.1 text", "550 5.1.1", "5.1.1 text"
// (the last for callers that hold only the text after the code). The token
// must be followed by a space, tab, CR, LF or the end. Only the first line is
// looked at (RFC 2034: every line carries the same code).
std::optional<EnhancedStatus> extract_enhanced_status(std::string_view reply);

// RFC 3463 default for a reply without one: 2xx -> 2.0.0, 4xx -> 4.0.0,
// 5xx -> 5.0.0; other codes -> nullopt.
std::optional<EnhancedStatus> default_enhanced_status(int reply_code);

// The three-digit reply code at the start of a reply ("550 ...", "550-...",
// "550"), or nullopt. The first digit must be 2-5 (RFC 5321 §4.2).
std::optional<int> parse_reply_code(std::string_view reply);

// The status that describes a reply: its enhanced code when present and of
// the same class as the reply code (RFC 2034 §4), otherwise the default
// derived from the reply code; nullopt when the reply has neither.
std::optional<EnhancedStatus> status_of_reply(std::string_view reply);

}  // namespace impulse::protocol
