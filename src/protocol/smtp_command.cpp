// Implementation of protocol/smtp_command.hpp. A small hand-written
// recursive-descent parser over RFC 5321 §4.1.2's grammar.
#include "protocol/smtp_command.hpp"

#include <limits>

#include "base/strings.hpp"
#include "protocol/dsn_params.hpp"

namespace impulse::protocol {
namespace {

using Parsed = impulse::expected<Command, CommandError>;

impulse::unexpected<CommandError> error(CommandErrorKind kind, std::string detail) {
  return impulse::unexpected<CommandError>(CommandError{kind, std::move(detail)});
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 5322 atext.
bool is_atext(char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

// An octet of a UTF-8 sequence (RFC 6531 §3.3 UTF8-non-ascii); whether the
// path may hold it is checked once the whole command is read.
bool is_high(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool is_let_dig(char c) { return is_alnum(c) || is_high(c); }

bool is_printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e;
}

// Cursor over the argument text.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (done() || s[i] != c) return false;
    ++i;
    return true;
  }
  void skip_spaces() {
    while (!done() && s[i] == ' ') ++i;
  }
};

// sub-domain *("." sub-domain); labels are Let-dig [Ldh-str] (underscore
// tolerated inside a label: real hosts use it). Returns false on bad syntax.
bool parse_domain(Cursor& c) {
  const std::size_t start = c.i;
  for (;;) {
    const std::size_t label = c.i;
    if (!is_let_dig(c.peek())) return false;
    while (is_let_dig(c.peek()) || c.peek() == '-' || c.peek() == '_') ++c.i;
    if (c.s[c.i - 1] == '-' || c.i - label > 63) return false;
    if (!c.eat('.')) break;
  }
  return c.i - start <= kMaxDomain;
}

bool valid_ipv4(std::string_view t) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= t.size()) {
    std::size_t j = i;
    unsigned value = 0;
    while (j < t.size() && is_digit(t[j]) && j - i < 3) value = value * 10 + static_cast<unsigned>(t[j++] - '0');
    if (j == i || value > 255) return false;
    ++parts;
    if (j == t.size()) break;
    if (t[j] != '.') return false;
    i = j + 1;
    if (i == t.size()) return false;
  }
  return parts == 4;
}

// Loose IPv6 check: hex digits, colons and (for a trailing IPv4 part) dots,
// at least two colons, no ":::".
bool valid_ipv6(std::string_view t) {
  if (t.size() < 2 || t.size() > 45) return false;
  int colons = 0;
  for (char ch : t) {
    if (ch == ':') ++colons;
    else if (!is_hex(ch) && ch != '.') return false;
  }
  return colons >= 2 && t.find(":::") == std::string_view::npos;
}

// "[" ( IPv4 / "IPv6:" IPv6 / tag ":" dcontent ) "]"; cursor on '['.
bool parse_address_literal(Cursor& c) {
  if (!c.eat('[')) return false;
  const std::size_t start = c.i;
  while (!c.done() && c.peek() != ']') {
    const char ch = c.peek();
    // dcontent: %d33-90 / %d94-126
    if (!is_printable(ch) || ch == '[' || ch == '\\') return false;
    ++c.i;
  }
  if (!c.eat(']')) return false;
  std::string_view inner = c.s.substr(start, c.i - 1 - start);
  if (inner.empty()) return false;
  if (istarts_with(inner, "IPv6:")) return valid_ipv6(inner.substr(5));
  const auto colon = inner.find(':');
  if (colon == std::string_view::npos) return valid_ipv4(inner);
  // General-address-literal: Standardized-tag (Ldh-str) ":" 1*dcontent.
  std::string_view tag = inner.substr(0, colon);
  if (tag.empty() || !is_alnum(tag.front()) || !is_alnum(tag.back())) return false;
  for (char ch : tag)
    if (!is_alnum(ch) && ch != '-') return false;
  return colon + 1 < inner.size();
}

// Local-part = Dot-string / Quoted-string.
bool parse_local_part(Cursor& c) {
  if (c.eat('"')) {
    for (;;) {
      if (c.done()) return false;
      const char ch = c.s[c.i++];
      if (ch == '"') return true;
      if (ch == '\\') {
        if (c.done()) return false;
        const auto u = static_cast<unsigned char>(c.s[c.i++]);
        if (u < 32 || u > 126) return false;  // quoted-pairSMTP
        continue;
      }
      const auto u = static_cast<unsigned char>(ch);
      if (u < 32 || u == 127) return false;  // qtextSMTP plus SP (8-bit: RFC 6531)
    }
  }
  for (;;) {
    if (!is_atext(c.peek()) && !is_high(c.peek())) return false;
    while (is_atext(c.peek()) || is_high(c.peek())) ++c.i;
    if (!c.eat('.')) return true;
  }
}

// Path = "<" [ A-d-l ":" ] Mailbox ">" / "<>" (when allow_null) /
// "<postmaster>" (when allow_postmaster). Cursor on '<'. The error detail
// says what was wrong.
impulse::expected<Path, std::string> parse_path(Cursor& c, bool allow_null, bool allow_postmaster) {
  using R = impulse::expected<Path, std::string>;
  auto bad = [](std::string why) -> R { return impulse::unexpected<std::string>(std::move(why)); };
  const std::size_t start = c.i;
  if (!c.eat('<')) return bad("address must be in angle brackets");
  Path p;
  if (c.eat('>')) {
    if (!allow_null) return bad("null address not allowed here");
    p.null = true;
    return p;
  }
  // Source route: "@one,@two:" -- accepted and ignored (RFC 5321 §4.1.2, C.).
  if (c.peek() == '@') {
    for (;;) {
      if (!c.eat('@') || !parse_domain(c)) return bad("bad source route");
      if (c.eat(':')) break;
      if (!c.eat(',')) return bad("bad source route");
    }
  }
  const std::size_t local_start = c.i;
  if (!parse_local_part(c)) return bad("bad local part");
  p.local_part = std::string(c.s.substr(local_start, c.i - local_start));
  if (p.local_part.size() > kMaxLocalPart) return bad("local part too long");
  if (c.eat('>')) {
    if (allow_postmaster && iequals(p.local_part, "postmaster")) {
      if (c.i - start > kMaxPath) return bad("path too long");
      return p;
    }
    return bad("address needs a domain");
  }
  if (!c.eat('@')) return bad("bad address syntax");
  const std::size_t domain_start = c.i;
  const bool ok = c.peek() == '[' ? parse_address_literal(c) : parse_domain(c);
  if (!ok) return bad("bad domain");
  p.domain = std::string(c.s.substr(domain_start, c.i - domain_start));
  if (p.domain.size() > kMaxDomain) return bad("domain too long");
  if (!c.eat('>')) return bad("bad address syntax");
  if (c.i - start > kMaxPath) return bad("path too long");
  return p;
}

// Reads SP-separated esmtp-param items (RFC 5321 §4.1.2) and applies them.
// utf8_values: 8-bit octets allowed in values (RCPT in an SMTPUTF8
// transaction: a utf-8 ORCPT, RFC 6533 §3).
impulse::expected<void, CommandError> parse_params(Cursor& c, Command& cmd, bool is_mail, bool utf8_values) {
  bool seen_size = false, seen_body = false, seen_utf8 = false, seen_ret = false, seen_envid = false;
  bool seen_notify = false, seen_orcpt = false;
  while (!c.done()) {
    if (!c.eat(' ')) return error(CommandErrorKind::Syntax, "expected a space before parameters");
    c.skip_spaces();
    if (c.done()) break;
    const std::size_t kstart = c.i;
    if (!is_alnum(c.peek())) return error(CommandErrorKind::Syntax, "bad parameter");
    while (is_alnum(c.peek()) || c.peek() == '-') ++c.i;
    std::string_view keyword = c.s.substr(kstart, c.i - kstart);
    std::string_view value;
    bool has_value = false;
    if (c.eat('=')) {
      has_value = true;
      const std::size_t vstart = c.i;
      while (!c.done() && (is_printable(c.peek()) || is_high(c.peek())) && c.peek() != '=') ++c.i;
      value = c.s.substr(vstart, c.i - vstart);
      if (value.empty()) return error(CommandErrorKind::BadParameter, "empty parameter value");
      if (!utf8_values && has_8bit(value)) return error(CommandErrorKind::BadParameter, "8-bit parameter value");
    }
    if (!c.done() && c.peek() != ' ') return error(CommandErrorKind::Syntax, "bad parameter");
    if (is_mail && iequals(keyword, "SIZE")) {
      if (seen_size) return error(CommandErrorKind::BadParameter, "SIZE given twice");
      seen_size = true;
      if (!has_value) return error(CommandErrorKind::BadParameter, "SIZE needs a value");
      std::uint64_t n = 0;
      for (char ch : value) {
        if (!is_digit(ch)) return error(CommandErrorKind::BadParameter, "SIZE must be a number");
        const auto d = static_cast<std::uint64_t>(ch - '0');
        n = n > (std::numeric_limits<std::uint64_t>::max() - d) / 10 ? std::numeric_limits<std::uint64_t>::max()
                                                                        : n * 10 + d;
      }
      cmd.size = n;
    } else if (is_mail && iequals(keyword, "BODY")) {
      if (seen_body) return error(CommandErrorKind::BadParameter, "BODY given twice");
      seen_body = true;
      if (iequals(value, "7BIT")) cmd.body = BodyType::SevenBit;
      else if (iequals(value, "8BITMIME")) cmd.body = BodyType::EightBitMime;
      else return error(CommandErrorKind::BadParameter, "BODY must be 7BIT or 8BITMIME");
    } else if (is_mail && iequals(keyword, "SMTPUTF8")) {  // RFC 6531 §3.4
      if (seen_utf8 || has_value) return error(CommandErrorKind::BadParameter, "SMTPUTF8 takes no value, once");
      seen_utf8 = true;
      cmd.smtputf8 = true;
    } else if (is_mail && iequals(keyword, "RET")) {  // RFC 3461 §4.3
      if (seen_ret) return error(CommandErrorKind::BadParameter, "RET given twice");
      seen_ret = true;
      auto ret = parse_ret(value);
      if (!ret) return error(CommandErrorKind::BadParameter, ret.error());
      cmd.dsn_ret = *ret;
    } else if (is_mail && iequals(keyword, "ENVID")) {  // RFC 3461 §4.4
      if (seen_envid) return error(CommandErrorKind::BadParameter, "ENVID given twice");
      seen_envid = true;
      auto envid = parse_envid(value);
      if (!envid) return error(CommandErrorKind::BadParameter, envid.error());
      cmd.dsn_envid = std::move(*envid);
    } else if (!is_mail && iequals(keyword, "NOTIFY")) {  // RFC 3461 §4.1
      if (seen_notify) return error(CommandErrorKind::BadParameter, "NOTIFY given twice");
      seen_notify = true;
      auto notify = parse_notify(value);
      if (!notify) return error(CommandErrorKind::BadParameter, notify.error());
      cmd.dsn_notify = *notify;
    } else if (!is_mail && iequals(keyword, "ORCPT")) {  // RFC 3461 §4.2
      if (seen_orcpt) return error(CommandErrorKind::BadParameter, "ORCPT given twice");
      seen_orcpt = true;
      auto orcpt = parse_orcpt(value);
      if (!orcpt) return error(CommandErrorKind::BadParameter, orcpt.error());
      cmd.dsn_orcpt = std::move(*orcpt);
    } else {
      return error(CommandErrorKind::UnsupportedParameter, "unsupported parameter " + std::string(keyword));
    }
  }
  return {};
}

// "FROM:" / "TO:" then optional spaces, the path, then parameters.
Parsed parse_mail_rcpt(Command cmd, std::string_view rest, bool is_mail, bool utf8_paths) {
  const std::string_view keyword = is_mail ? "FROM:" : "TO:";
  const CommandErrorKind path_error = is_mail ? CommandErrorKind::BadSender : CommandErrorKind::BadRecipient;
  if (!istarts_with(rest, keyword))
    return error(CommandErrorKind::Syntax, is_mail ? "expected MAIL FROM:<address>" : "expected RCPT TO:<address>");
  Cursor c{rest, keyword.size()};
  c.skip_spaces();
  auto path = parse_path(c, /*allow_null=*/is_mail, /*allow_postmaster=*/!is_mail);
  if (!path) return error(path_error, path.error());
  cmd.path = std::move(*path);
  auto params = parse_params(c, cmd, is_mail, utf8_paths);
  if (!params) return impulse::unexpected<CommandError>(params.error());
  // A UTF-8 path needs SMTPUTF8 (on this MAIL, or on the transaction's).
  if (has_8bit(cmd.path.local_part) || has_8bit(cmd.path.domain)) {
    if (!utf8_paths && !cmd.smtputf8) return error(path_error, "UTF-8 address needs SMTPUTF8");
    if (!valid_utf8(cmd.path.local_part) || !valid_utf8(cmd.path.domain)) return error(path_error, "bad UTF-8 in address");
    cmd.path.utf8 = true;
  }
  return cmd;
}

bool has_control_chars(std::string_view s) {
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string Path::address() const {
  if (null) return {};
  if (domain.empty()) return local_part;
  return local_part + "@" + domain;
}

Parsed parse_command(std::string_view line, bool utf8_paths) {
  // Trailing spaces are tolerated everywhere (common in the wild).
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const std::size_t sp = line.find(' ');
  const std::string_view verb = line.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);

  struct Entry {
    std::string_view name;
    Verb verb;
  };
  static constexpr Entry kVerbs[] = {
      {"EHLO", Verb::Ehlo}, {"HELO", Verb::Helo}, {"MAIL", Verb::Mail},         {"RCPT", Verb::Rcpt},
      {"DATA", Verb::Data}, {"RSET", Verb::Rset}, {"NOOP", Verb::Noop},         {"QUIT", Verb::Quit},
      {"VRFY", Verb::Vrfy}, {"HELP", Verb::Help}, {"STARTTLS", Verb::Starttls},
  };
  Command cmd;
  bool known = false;
  for (const auto& e : kVerbs) {
    if (iequals(verb, e.name)) {
      cmd.verb = e.verb;
      known = true;
      break;
    }
  }
  if (!known) return error(CommandErrorKind::Unrecognized, "command unrecognized");

  switch (cmd.verb) {
    case Verb::Ehlo:
    case Verb::Helo: {
      std::string_view arg = trim(rest);
      if (arg.empty()) return error(CommandErrorKind::Syntax, cmd.verb == Verb::Ehlo ? "EHLO needs a hostname" : "HELO needs a hostname");
      if (has_control_chars(arg)) return error(CommandErrorKind::Syntax, "bad hostname");
      cmd.argument = std::string(arg);
      return cmd;
    }
    case Verb::Mail:
      return parse_mail_rcpt(std::move(cmd), rest, true, utf8_paths);
    case Verb::Rcpt:
      return parse_mail_rcpt(std::move(cmd), rest, false, utf8_paths);
    case Verb::Data:
    case Verb::Rset:
    case Verb::Quit:
    case Verb::Starttls:
      if (!trim(rest).empty()) return error(CommandErrorKind::Syntax, "no arguments allowed");
      return cmd;
    case Verb::Vrfy:
      if (trim(rest).empty()) return error(CommandErrorKind::Syntax, "VRFY needs an argument");
      [[fallthrough]];
    case Verb::Noop:
    case Verb::Help:
      if (has_control_chars(rest)) return error(CommandErrorKind::Syntax, "bad argument");
      cmd.argument = std::string(trim(rest));
      return cmd;
  }
  return error(CommandErrorKind::Unrecognized, "command unrecognized");
}

}  // namespace impulse::protocol
