// Implementation of protocol/inject_template.hpp.
#include "protocol/inject_template.hpp"

#include <optional>

namespace impulse::protocol {
namespace {

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

struct Placeholder {
  std::string_view key;
  std::size_t length = 0;  // of the whole placeholder text
};

// A placeholder starting at text[0] ('<' or '['), if well-formed.
std::optional<Placeholder> placeholder_at(std::string_view text) {
  const char open = text[0];
  const char close = open == '<' ? '>' : ']';
  std::size_t i = 1;
  auto skip_spaces = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  if (i >= text.size() || text[i] != '%') return std::nullopt;
  ++i;
  if (i >= text.size() || text[i] != '=') return std::nullopt;
  ++i;
  skip_spaces();
  if (i >= text.size() || text[i] != ':') return std::nullopt;
  ++i;
  const std::size_t key_start = i;
  while (i < text.size() && key_char(text[i])) ++i;
  if (i == key_start) return std::nullopt;
  const std::string_view key = text.substr(key_start, i - key_start);
  skip_spaces();
  if (i + 1 >= text.size() || text[i] != '%' || text[i + 1] != close) return std::nullopt;
  return Placeholder{key, i + 2};
}

const std::string* find_key(const TemplateKeys& keys, std::string_view key) {
  for (const auto& [k, v] : keys)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace

impulse::expected<std::string, std::string> substitute_template(std::string_view text, const TemplateKeys& keys) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t next = text.find_first_of("<[", i);
    if (next == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, next - i));
    const auto ph = placeholder_at(text.substr(next));
    if (!ph) {
      out.push_back(text[next]);
      i = next + 1;
      continue;
    }
    const std::string* value = find_key(keys, ph->key);
    if (!value) return impulse::unexpected<std::string>("no value for template key '" + std::string(ph->key) + "'");
    out.append(*value);
    i = next + ph->length;
  }
  return out;
}

std::string normalise_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

}  // namespace impulse::protocol
