// Parser for the commands an SMTP client sends to our server (RFC 5321
// §4.1.1-§4.1.2, with SIZE RFC 1870 and BODY RFC 6152 parameters on MAIL,
// SMTPUTF8 (RFC 6531) on MAIL, and DSN's RET/ENVID on MAIL and NOTIFY/ORCPT
// on RCPT (RFC 3461, values by protocol/dsn_params.hpp)).
//
// Input is one command line without its line end (the session strips CRLF
// and enforces the 1000-octet line limit before calling). Output is the
// command as a value, or a CommandError naming what was wrong; mapping an
// error to a reply code is the session's job, as is deciding whether the
// command is allowed now (sequence) and whether the values are acceptable
// (size limits, relaying).
//
// Pure: no I/O, no state, any thread; fuzzed (tests/fuzz/
// fuzz_protocol_smtp_command.cpp). Must also build with clang 14 (no <format>).
//
// Accepted: verbs in any case; "MAIL FROM:" / "RCPT TO:" with optional spaces
// before the path; quoted local parts; the null reverse-path "<>"; "<postmaster>"
// as a forward-path; source routes ("<@a,@b:user@c>", RFC 5321 §4.1.2 says
// accept and ignore) are dropped; address literals [1.2.3.4], [IPv6:...],
// [tag:text]. UTF-8 paths (RFC 6531 §3.3) only with SMTPUTF8 on the same
// MAIL, or with utf8_paths (the session's SMTPUTF8 transaction, for RCPT).
// Rejected: paths without angle brackets, control characters, other 8-bit
// paths or ill-formed UTF-8 in paths, local parts over 64 octets, domains over 255, paths
// over 256 octets including "<>" (RFC 5321 §4.5.3.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

inline constexpr std::size_t kMaxLocalPart = 64;
inline constexpr std::size_t kMaxDomain = 255;
inline constexpr std::size_t kMaxPath = 256;  // including "<" and ">"

enum class Verb { Ehlo, Helo, Mail, Rcpt, Data, Rset, Noop, Quit, Starttls, Vrfy, Help };

// BODY= on MAIL (RFC 6152). Unspecified means the client said nothing (7BIT).
enum class BodyType { Unspecified, SevenBit, EightBitMime };

// A reverse- or forward-path with its brackets and source route removed.
struct Path {
  std::string local_part;  // as written, quotes kept ("\"a b\"" stays quoted)
  std::string domain;      // as written; empty for "<>" and "<postmaster>"
  bool null = false;       // "<>"
  bool utf8 = false;       // has UTF-8 (non-ASCII) octets: needs SMTPUTF8

  bool is_postmaster() const { return !null && domain.empty(); }
  // "local@domain"; "" for the null path; "postmaster" as written.
  std::string address() const;
};

struct Command {
  Verb verb = Verb::Noop;
  std::string argument;                // EHLO/HELO name, VRFY/HELP/NOOP text
  Path path;                           // MAIL, RCPT
  std::optional<std::uint64_t> size;   // MAIL SIZE= (saturates at UINT64_MAX)
  BodyType body = BodyType::Unspecified;
  bool smtputf8 = false;               // MAIL SMTPUTF8
  std::uint8_t dsn_ret = 0;            // MAIL RET= (protocol/dsn_params.hpp kRet*), 0 = none
  std::string dsn_envid;               // MAIL ENVID=, xtext decoded; "" = none
  std::uint8_t dsn_notify = 0;         // RCPT NOTIFY= (kNotify* bits), 0 = none
  std::string dsn_orcpt;               // RCPT ORCPT= as "type;decoded address"; "" = none
};

enum class CommandErrorKind {
  Unrecognized,          // not a command we know
  Syntax,                // known command, malformed arguments
  BadSender,             // MAIL FROM path malformed or too long
  BadRecipient,          // RCPT TO path malformed or too long
  BadParameter,          // known parameter with a bad value, or repeated
  UnsupportedParameter,  // parameter keyword we do not implement
};

struct CommandError {
  CommandErrorKind kind = CommandErrorKind::Syntax;
  std::string detail;  // short, for the reply text ("missing FROM:", "local part too long")
};

// `line` excludes the CRLF. utf8_paths: the transaction is SMTPUTF8, so a
// RCPT may carry a UTF-8 path (and a utf-8 ORCPT).
impulse::expected<Command, CommandError> parse_command(std::string_view line, bool utf8_paths = false);

}  // namespace impulse::protocol
