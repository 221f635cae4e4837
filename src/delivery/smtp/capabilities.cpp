// Implementation of delivery/smtp/capabilities.hpp.
#include "delivery/smtp/capabilities.hpp"

#include <limits>

#include "base/strings.hpp"

namespace impulse::delivery::smtp {
namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::uint64_t parse_size_value(std::string_view text) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  if (text.empty()) return 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return 0;  // absurdly large: no usable maximum
    value = value * 10 + digit;
  }
  return value;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

bool Capabilities::xclient_supports(std::string_view attribute) const {
  for (const auto& a : xclient_attributes) {
    if (iequals(a, attribute)) return true;
  }
  return false;
}

bool Capabilities::auth_supports(std::string_view mechanism) const {
  for (const auto& m : auth_mechanisms) {
    if (iequals(m, mechanism)) return true;
  }
  return false;
}

Capabilities parse_capabilities(const std::vector<std::string>& lines) {
  Capabilities caps;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto w = words(lines[i]);
    if (w.empty()) continue;
    const std::string_view keyword = w[0];
    if (iequals(keyword, "PIPELINING")) {
      caps.pipelining = true;
    } else if (iequals(keyword, "STARTTLS")) {
      caps.starttls = true;
    } else if (iequals(keyword, "8BITMIME")) {
      caps.eightbitmime = true;
    } else if (iequals(keyword, "ENHANCEDSTATUSCODES")) {
      caps.enhanced_status_codes = true;
    } else if (iequals(keyword, "SIZE")) {
      caps.size = true;
      caps.size_limit = w.size() > 1 ? parse_size_value(w[1]) : 0;
    } else if (iequals(keyword, "XCLIENT")) {
      caps.xclient = true;
      for (std::size_t k = 1; k < w.size(); ++k) {
        std::string name = to_upper(w[k]);
        if (!caps.xclient_supports(name)) caps.xclient_attributes.push_back(std::move(name));
      }
    } else if (iequals(keyword, "CHUNKING")) {
      caps.chunking = true;
    } else if (iequals(keyword, "SMTPUTF8")) {
      caps.smtputf8 = true;
    } else if (iequals(keyword, "DSN")) {
      caps.dsn = true;
    } else if (iequals(keyword, "BINARYMIME")) {
      caps.binarymime = true;
    } else if (iequals(keyword, "AUTH")) {
      for (std::size_t k = 1; k < w.size(); ++k) {
        std::string name = to_upper(w[k]);
        if (!caps.auth_supports(name)) caps.auth_mechanisms.push_back(std::move(name));
      }
    }
  }
  return caps;
}

}  // namespace impulse::delivery::smtp
