// Capabilities: what the server offered in its EHLO (or LHLO) reply, as
// values the session acts on: PIPELINING (RFC 2920), SIZE [n] (RFC 1870),
// 8BITMIME (RFC 6152), STARTTLS (RFC 3207), ENHANCEDSTATUSCODES (RFC 2034),
// XCLIENT with its attribute names (Postfix XCLIENT_README), and a few more
// that are only recorded (CHUNKING, SMTPUTF8, DSN), BINARYMIME, and the AUTH
// mechanisms (RFC 4954).
//
// Keywords and XCLIENT attribute names are case-insensitive; unknown
// keywords are ignored. The first line of the reply is the server's
// greeting ("mx.example.com Hello ..."), never a keyword. "SIZE" alone,
// "SIZE 0" or a SIZE with a value that is not a number means no fixed
// maximum (size_limit 0).
//
// Leaves to others: reading the reply (reply_reader.hpp), forgetting the
// capabilities after STARTTLS or XCLIENT (the connection replaces them).
// Pure value and function; any thread; cannot fail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace impulse::delivery::smtp {

struct Capabilities {
  bool pipelining = false;
  bool starttls = false;
  bool eightbitmime = false;
  bool enhanced_status_codes = false;
  bool size = false;            // SIZE advertised
  std::uint64_t size_limit = 0;  // its value; 0 = no fixed maximum
  bool xclient = false;
  std::vector<std::string> xclient_attributes;  // upper-cased, as listed ("NAME", "ADDR", ...)
  bool chunking = false;
  bool smtputf8 = false;
  bool dsn = false;
  bool binarymime = false;
  std::vector<std::string> auth_mechanisms;  // upper-cased, as listed after AUTH

  // Case-insensitive.
  bool auth_supports(std::string_view mechanism) const;

  // Case-insensitive.
  bool xclient_supports(std::string_view attribute) const;
};

// `lines` are the reply's lines without their codes (Reply::lines).
Capabilities parse_capabilities(const std::vector<std::string>& lines);

}  // namespace impulse::delivery::smtp
