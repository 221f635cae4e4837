// DSN envelope parameters (RFC 3461 §4): NOTIFY and ORCPT on RCPT, RET and
// ENVID on MAIL, and the xtext encoding (§4) their values travel in; plus
// the UTF-8 check SMTPUTF8 addresses need (RFC 6531 §3.3, RFC 3629).
//
// Parses one parameter value at a time (the command parser,
// protocol/smtp_command.hpp, finds the keyword) into plain values; encodes
// them again for relaying (delivery/smtp). Leaves to others: whether the
// parameter is allowed now (the session), storing it (spool), honouring it
// (queue/bounce_maker, protocol/dsn).
// Pure: no I/O, no state, any thread; fuzzed
// (tests/fuzz/fuzz_protocol_dsn_params.cpp). Must build with clang 14.
// Failures are values: a short text saying what was wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

// NOTIFY bits as stored in the spool (spool::Recipient::dsn_notify); 0 means
// the client gave no NOTIFY (RFC 3461 §4.1: FAILURE,DELAY by default).
inline constexpr std::uint8_t kNotifyNever = 1;
inline constexpr std::uint8_t kNotifySuccess = 2;
inline constexpr std::uint8_t kNotifyFailure = 4;
inline constexpr std::uint8_t kNotifyDelay = 8;

// RET as stored in the spool (spool::Message::dsn_ret): 0 = not given.
inline constexpr std::uint8_t kRetUnspecified = 0;
inline constexpr std::uint8_t kRetFull = 1;
inline constexpr std::uint8_t kRetHdrs = 2;

inline constexpr std::size_t kMaxEnvidOctets = 100;  // RFC 3461 §4.4 (xtext form)
inline constexpr std::size_t kMaxOrcptOctets = 500;  // RFC 3461 §4.2 (whole parameter value)

using ParamResult8 = impulse::expected<std::uint8_t, std::string>;
using ParamText = impulse::expected<std::string, std::string>;

// "NEVER" or a comma list of SUCCESS, FAILURE, DELAY (any case, no repeats).
ParamResult8 parse_notify(std::string_view value);
// "FULL" or "HDRS" (any case).
ParamResult8 parse_ret(std::string_view value);
// ENVID: xtext of printable ASCII, at most 100 octets; returns it decoded.
ParamText parse_envid(std::string_view value);
// ORCPT: addr-type ";" xtext (RFC 3461 §4.2); returns "type;decoded-address"
// with the type as given ("rfc822", "utf-8"). The address must decode to
// printable ASCII, or to UTF-8 when the type is utf-8 (RFC 6533 §3).
ParamText parse_orcpt(std::string_view value);

// xtext (RFC 3461 §4): "+" HEXCHAR HEXCHAR, other chars "!".."~" except "+"
// and "=" as themselves.
ParamText xtext_decode(std::string_view xtext);
std::string xtext_encode(std::string_view text);

// The values again, as a client sends them: "SUCCESS,FAILURE"; "" for 0.
std::string format_notify(std::uint8_t notify);
std::string_view format_ret(std::uint8_t ret);  // "" for unspecified
// "rfc822;a+2Bb@x" from "rfc822;a+b@x"; a value without ';' gets rfc822.
std::string format_orcpt(std::string_view stored);

// Well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points
// above U+10FFFF).
bool valid_utf8(std::string_view text);
// True when text has an octet above 0x7F.
bool has_8bit(std::string_view text);

}  // namespace impulse::protocol
