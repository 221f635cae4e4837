// Implementation of protocol/dkim_names.hpp.
#include "protocol/dkim_names.hpp"

#include <algorithm>
#include <cctype>

#include "base/strings.hpp"

namespace impulse::protocol {

std::vector<std::string> dkim_domain_candidates(std::string_view domain) {
  std::vector<std::string> out;
  while (!domain.empty()) {
    out.emplace_back(domain);
    std::size_t dot = domain.find('.');
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return out;
}

impulse::expected<std::string, std::string> dkim_expand_key_path(std::string_view pattern, std::string_view domain,
                                                                  std::string_view selector) {
  std::string out;
  out.reserve(pattern.size() + domain.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
      std::size_t close = pattern.find('}', i + 2);
      if (close == std::string_view::npos) return impulse::unexpected(std::string("unterminated macro %{"));
      std::string_view name = pattern.substr(i + 2, close - i - 2);
      if (name == "d") out += domain;
      else if (name == "s") out += selector;
      else return impulse::unexpected("unknown macro %{" + std::string(name) + "} (known: %{d}, %{s})");
      i = close;
      continue;
    }
    out += pattern[i];
  }
  return out;
}

impulse::expected<std::vector<std::string>, std::string> dkim_header_list(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& raw : names) {
    std::string name = to_lower(trim(raw));
    bool ok = !name.empty();
    for (char c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') ok = false;
    if (!ok) return impulse::unexpected("header name \"" + raw + "\" is not letters, digits, '-' and '_'");
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  if (std::find(out.begin(), out.end(), "from") == out.end()) out.insert(out.begin(), "from");
  return out;
}

}  // namespace impulse::protocol
