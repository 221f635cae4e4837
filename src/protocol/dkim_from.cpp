// Implementation of protocol/dkim_from.hpp.
#include "protocol/dkim_from.hpp"

#include <cctype>
#include <optional>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

// The next header field [begin, end) of `headers` from `pos` (its
// continuation lines included, line end excluded); false at the end.
bool next_field(std::string_view headers, std::size_t& pos, std::string_view& field) {
  if (pos >= headers.size()) return false;
  std::size_t start = pos;
  std::size_t end = pos;
  while (true) {
    std::size_t nl = headers.find('\n', end);
    if (nl == std::string_view::npos) {
      end = headers.size();
      pos = end;
      break;
    }
    end = nl + 1;
    if (end < headers.size() && is_wsp(headers[end])) continue;  // folded
    pos = end;
    break;
  }
  field = headers.substr(start, end - start);
  while (!field.empty() && (field.back() == '\n' || field.back() == '\r')) field.remove_suffix(1);
  return true;
}

bool is_from(std::string_view field) {
  std::size_t colon = field.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  return iequals(name, "from");
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value)
    if (c != '\r' && c != '\n') out += c;
  return out;
}

bool host_name(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.front() == '-') return false;
  char prev = '.';
  for (char c : d) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok || (c == '.' && prev == '.') || (c == '.' && prev == '-') || (c == '-' && prev == '.')) return false;
    prev = c;
  }
  return prev != '-' && prev != '.';
}

// The addr-spec of the first mailbox in a From: value, with comments and
// quoted strings taken out of the way: the text between the first '<' and
// its '>', or the first run of the value up to ',' / ';'.
std::string first_addr_spec(std::string_view v) {
  std::string plain;  // v without comments, quoted strings kept intact as tokens
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted) {
      if (c == '\\' && i + 1 < v.size()) {
        plain += c;
        plain += v[++i];
        continue;
      }
      if (c == '"') quoted = false;
      plain += c;
      continue;
    }
    if (depth > 0) {
      if (c == '\\' && i + 1 < v.size()) ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '(') {
      ++depth;
      plain += ' ';
      continue;
    }
    if (c == '"') quoted = true;
    plain += c;
  }
  // Group syntax "name: a@b, c@d;": the mailboxes follow the first ':' outside quotes.
  auto outside_quotes = [&plain](char wanted, std::size_t from) {
    bool q = false;
    for (std::size_t i = from; i < plain.size(); ++i) {
      if (plain[i] == '\\' && q) {
        ++i;
        continue;
      }
      if (plain[i] == '"') q = !q;
      else if (!q && plain[i] == wanted) return i;
    }
    return std::string::npos;
  };
  std::size_t start = 0;
  std::size_t lt = outside_quotes('<', 0);
  std::size_t colon = outside_quotes(':', 0);
  std::size_t comma = outside_quotes(',', 0);
  if (colon != std::string::npos && (lt == std::string::npos || colon < lt) &&
      (comma == std::string::npos || colon < comma))
    start = colon + 1;
  lt = outside_quotes('<', start);
  std::size_t stop = outside_quotes(',', start);
  if (std::size_t semi = outside_quotes(';', start); semi < stop) stop = semi;
  if (lt != std::string::npos && lt < stop) {
    std::size_t gt = outside_quotes('>', lt);
    if (gt == std::string::npos) gt = plain.size();
    return std::string(trim(std::string_view(plain).substr(lt + 1, gt - lt - 1)));
  }
  if (stop == std::string::npos) stop = plain.size();
  return std::string(trim(std::string_view(plain).substr(start, stop - start)));
}

}  // namespace

std::string_view dkim_header_section(std::string_view message) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    if (message[pos] == '\n') return message.substr(0, pos);
    if (message[pos] == '\r' && pos + 1 < message.size() && message[pos + 1] == '\n') return message.substr(0, pos);
    std::size_t nl = message.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return message;
}

impulse::expected<std::string, std::string> dkim_from_value(std::string_view message) {
  std::string_view headers = dkim_header_section(message);
  std::size_t pos = 0;
  std::string_view field;
  std::optional<std::string_view> found;
  while (next_field(headers, pos, field)) {
    if (!is_from(field)) continue;
    if (found) return impulse::unexpected(std::string("several From: headers"));
    found = field.substr(field.find(':') + 1);
  }
  if (!found) return impulse::unexpected(std::string("no From: header"));
  return unfold(*found);
}

impulse::expected<std::string, std::string> dkim_from_domain(std::string_view message) {
  auto value = dkim_from_value(message);
  if (!value) return impulse::unexpected(value.error());
  std::string spec = first_addr_spec(*value);
  // The domain follows the last '@' outside quotes (a quoted local part may hold '@').
  std::size_t at = std::string::npos;
  bool q = false;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == '\\' && q) {
      ++i;
      continue;
    }
    if (spec[i] == '"') q = !q;
    else if (!q && spec[i] == '@') at = i;
  }
  if (at == std::string::npos) return impulse::unexpected(std::string("From: has no domain"));
  std::string domain = to_lower(trim(std::string_view(spec).substr(at + 1)));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (!host_name(domain)) {
    std::string shown = domain.size() > 64 ? domain.substr(0, 64) + "..." : domain;
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return impulse::unexpected("From: domain \"" + shown + "\" is not a host name");
  }
  return domain;
}

}  // namespace impulse::protocol
