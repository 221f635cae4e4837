// Implementation of protocol/channel_part_mime.hpp.
#include "protocol/channel_part_mime.hpp"

#include "base/strings.hpp"
#include "protocol/base64.hpp"

namespace impulse::protocol {
namespace {

// One line of `text` from `pos`: its content (without the line break) and
// where the next line starts. `has_break` is false for a last line that
// ends without one.
struct Line {
  std::string_view content;
  std::size_t begin = 0;  // offset of the line in text
  std::size_t next = 0;   // offset after its line break
  bool has_break = false;
};

Line line_at(std::string_view text, std::size_t pos) {
  Line l;
  l.begin = pos;
  const std::size_t lf = text.find('\n', pos);
  if (lf == std::string_view::npos) {
    l.content = text.substr(pos);
    l.next = text.size();
    return l;
  }
  std::size_t end = lf;
  if (end > pos && text[end - 1] == '\r') --end;
  l.content = text.substr(pos, end - pos);
  l.next = lf + 1;
  l.has_break = true;
  return l;
}

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return false;
  }
  return true;
}

// RFC 2045 token characters: CHAR except SPACE, CTLs and tspecials.
bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// A cursor over a structured header value: white space and (nested)
// comments are skipped between items.
class ValueCursor {
 public:
  explicit ValueCursor(std::string_view s) : s_(s) {}

  bool at_end() {
    skip_cfws();
    return pos_ >= s_.size();
  }
  bool take(char c) {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string token() {
    skip_cfws();
    const std::size_t start = pos_;
    while (pos_ < s_.size() && is_token_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  // A token or a quoted string (unquoted, backslash escapes removed).
  std::optional<std::string> value() {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      ++pos_;
      std::string out;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        out += s_[pos_++];
      }
      if (pos_ >= s_.size()) return std::nullopt;  // unterminated
      ++pos_;
      return out;
    }
    std::string t = token();
    if (t.empty()) return std::nullopt;
    return t;
  }
  void skip_to_semicolon() {
    while (pos_ < s_.size() && s_[pos_] != ';') ++pos_;
  }

 private:
  void skip_cfws() {
    for (;;) {
      while (pos_ < s_.size() && (is_wsp(s_[pos_]) || s_[pos_] == '\r' || s_[pos_] == '\n')) ++pos_;
      if (pos_ >= s_.size() || s_[pos_] != '(') return;
      int depth = 0;
      while (pos_ < s_.size()) {
        const char c = s_[pos_++];
        if (c == '\\' && pos_ < s_.size()) {
          ++pos_;
        } else if (c == '(') {
          ++depth;
        } else if (c == ')' && --depth == 0) {
          break;
        }
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Whether `line` is a delimiter for `dash_boundary` ("--" boundary):
// 0 = no, 1 = delimiter, 2 = close delimiter. Transport padding (white
// space) may follow either.
int delimiter_kind(std::string_view line, std::string_view dash_boundary) {
  if (!line.starts_with(dash_boundary)) return 0;
  std::string_view rest = line.substr(dash_boundary.size());
  int kind = 1;
  if (rest.starts_with("--")) {
    kind = 2;
    rest.remove_prefix(2);
  }
  for (char c : rest)
    if (!is_wsp(c)) return 0;
  return kind;
}

}  // namespace

std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

impulse::expected<MimeEntity, std::string> split_entity(std::string_view text) {
  MimeEntity e;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Line l = line_at(text, pos);
    pos = l.next;
    if (l.content.empty()) {
      if (l.has_break) e.body = text.substr(pos);
      break;
    }
    if (is_wsp(l.content.front())) {
      if (e.headers.empty()) return impulse::unexpected(std::string("header continuation line with no header"));
      // Unfolding (RFC 5322 §2.2.3): the line break goes, the white space stays.
      std::string& value = e.headers.back().second;
      value.append(l.content);
      continue;
    }
    const std::size_t colon = l.content.find(':');
    if (colon == std::string_view::npos) return impulse::unexpected(std::string("header line without a colon"));
    const std::string_view name = trim_wsp(l.content.substr(0, colon));
    if (!valid_field_name(name)) return impulse::unexpected(std::string("invalid header field name"));
    e.headers.emplace_back(std::string(name), std::string(l.content.substr(colon + 1)));
  }
  for (auto& [n, v] : e.headers) v = std::string(trim_wsp(v));
  return e;
}

std::optional<std::string_view> ContentType::param(std::string_view name) const {
  for (const auto& [n, v] : params)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  ValueCursor c(value);
  ContentType ct;
  const std::string type = c.token();
  if (type.empty() || !c.take('/')) return std::nullopt;
  const std::string subtype = c.token();
  if (subtype.empty()) return std::nullopt;
  ct.type = to_lower(type) + "/" + to_lower(subtype);
  while (c.take(';')) {
    if (c.at_end()) break;  // a trailing ';' is common and harmless
    std::string name = c.token();
    if (name.empty() || !c.take('=')) {
      c.skip_to_semicolon();  // a broken parameter is skipped, not fatal
      continue;
    }
    auto v = c.value();
    if (!v) {
      c.skip_to_semicolon();
      continue;
    }
    ct.params.emplace_back(to_lower(name), std::move(*v));
  }
  return ct;
}

impulse::expected<std::vector<std::string_view>, std::string> split_multipart(std::string_view body,
                                                                               std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70)
    return impulse::unexpected(std::string("multipart boundary missing or longer than 70 characters"));
  const std::string dash = "--" + std::string(boundary);
  std::vector<std::string_view> parts;
  bool opened = false;
  std::size_t part_start = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const Line l = line_at(body, pos);
    const int kind = delimiter_kind(l.content, dash);
    if (kind != 0) {
      if (opened) {
        // The line break before the delimiter belongs to the delimiter.
        std::size_t end = l.begin;
        if (end > part_start && body[end - 1] == '\n') --end;
        if (end > part_start && body[end - 1] == '\r') --end;
        parts.push_back(body.substr(part_start, end - part_start));
      }
      if (kind == 2) {
        if (parts.empty()) return impulse::unexpected(std::string("multipart body without parts"));
        return parts;
      }
      opened = true;
      part_start = l.next;
    }
    pos = l.next;
  }
  if (!opened) return impulse::unexpected(std::string("multipart boundary not found"));
  return impulse::unexpected(std::string("multipart body without its closing boundary"));
}

impulse::expected<std::string, std::string> decode_quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Line l = line_at(text, pos);
    pos = l.next;
    std::string_view content = l.content;
    while (!content.empty() && is_wsp(content.back())) content.remove_suffix(1);
    bool soft = false;
    if (!content.empty() && content.back() == '=') {
      soft = true;
      content.remove_suffix(1);
    }
    for (std::size_t i = 0; i < content.size(); ++i) {
      if (content[i] != '=') {
        out += content[i];
        continue;
      }
      const int hi = i + 1 < content.size() ? hex_value(content[i + 1]) : -1;
      const int lo = i + 2 < content.size() ? hex_value(content[i + 2]) : -1;
      if (hi < 0 || lo < 0) return impulse::unexpected(std::string("invalid quoted-printable escape"));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (l.has_break && !soft) out.append(text.substr(l.begin + l.content.size(), l.next - l.begin - l.content.size()));
  }
  return out;
}

impulse::expected<std::string, std::string> decode_transfer_encoding(std::string_view body,
                                                                     std::string_view encoding) {
  const std::string enc = to_lower(trim(encoding));
  if (enc.empty() || enc == "7bit" || enc == "8bit" || enc == "binary") return std::string(body);
  if (enc == "quoted-printable") {
    auto out = decode_quoted_printable(body);
    if (!out) return impulse::unexpected("undecodable quoted-printable: " + out.error());
    return out;
  }
  if (enc == "base64") {
    auto out = decode_base64(body);
    if (!out) return impulse::unexpected("undecodable base64: " + out.error());
    return out;
  }
  return impulse::unexpected("unknown Content-Transfer-Encoding '" + enc + "'");
}

}  // namespace impulse::protocol
