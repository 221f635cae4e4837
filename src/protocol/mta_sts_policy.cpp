// MTA-STS policy and TXT record parsing (RFC 8461 §3.1, §3.2, §4.1).
#include "protocol/mta_sts_policy.hpp"

#include <cctype>
#include <optional>

namespace impulse::protocol {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// A host name: dot-separated non-empty labels of letters, digits, '-', '_'.
bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  std::size_t label = 0;
  for (char c : d) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_label_char(c) && ++label <= 63) {
    } else {
      return false;
    }
  }
  return label != 0;
}

bool valid_mx_pattern(std::string_view p) {
  if (p.starts_with("*.")) p.remove_prefix(2);
  return valid_domain(p);
}

}  // namespace

MtaStsPolicyResult parse_mta_sts_policy(std::string_view body) {
  if (body.size() > kMtaStsMaxPolicyOctets) return impulse::unexpected<std::string>("policy too large");
  std::optional<std::string> version;
  std::optional<MtaStsMode> mode;
  std::optional<std::uint32_t> max_age;
  MtaStsPolicy policy;
  while (!body.empty()) {
    const auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    line = trim(line);
    if (line.empty()) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return impulse::unexpected<std::string>("line without 'key:'");
    const std::string_view key = line.substr(0, colon);
    for (char c : key)
      if (!is_label_char(c) && c != '.') return impulse::unexpected<std::string>("bad key");
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "version") {
      if (!version) version = std::string(value);
    } else if (key == "mode") {
      if (mode) continue;
      if (value == "enforce") mode = MtaStsMode::kEnforce;
      else if (value == "testing") mode = MtaStsMode::kTesting;
      else if (value == "none") mode = MtaStsMode::kNone;
      else return impulse::unexpected<std::string>("unknown mode");
    } else if (key == "max_age") {
      if (max_age) continue;
      if (value.empty() || value.size() > 10) return impulse::unexpected<std::string>("bad max_age");
      std::uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return impulse::unexpected<std::string>("bad max_age");
        n = n * 10 + static_cast<unsigned>(c - '0');
      }
      max_age = static_cast<std::uint32_t>(n > kMtaStsMaxAge ? kMtaStsMaxAge : n);
    } else if (key == "mx") {
      if (!valid_mx_pattern(value)) return impulse::unexpected<std::string>("bad mx pattern");
      policy.mx.push_back(lower(value));
    }
  }
  if (!version || *version != "STSv1") return impulse::unexpected<std::string>("version is not STSv1");
  if (!mode) return impulse::unexpected<std::string>("no mode");
  if (!max_age) return impulse::unexpected<std::string>("no max_age");
  if (*mode != MtaStsMode::kNone && policy.mx.empty()) return impulse::unexpected<std::string>("no mx");
  policy.mode = *mode;
  policy.max_age = *max_age;
  return policy;
}

std::string format_mta_sts_policy(const MtaStsPolicy& policy) {
  std::string out = "version: STSv1\r\nmode: ";
  out += mta_sts_mode_name(policy.mode);
  out += "\r\n";
  for (const auto& mx : policy.mx) out += "mx: " + mx + "\r\n";
  out += "max_age: " + std::to_string(policy.max_age) + "\r\n";
  return out;
}

impulse::expected<std::string, std::string> parse_mta_sts_txt(std::string_view txt) {
  std::optional<std::string> id;
  bool first = true;
  while (!txt.empty()) {
    const auto semi = txt.find(';');
    const std::string_view field = trim(txt.substr(0, semi));
    txt.remove_prefix(semi == std::string_view::npos ? txt.size() : semi + 1);
    if (field.empty()) {
      if (first) return impulse::unexpected<std::string>("TXT does not start with v=STSv1");
      continue;
    }
    const auto eq = field.find('=');
    if (eq == std::string_view::npos) return impulse::unexpected<std::string>("TXT field without '='");
    const std::string_view key = trim(field.substr(0, eq));
    const std::string_view value = trim(field.substr(eq + 1));
    if (first) {
      if (key != "v" || value != "STSv1") return impulse::unexpected<std::string>("TXT does not start with v=STSv1");
      first = false;
      continue;
    }
    if (key == "id" && !id) {
      if (value.empty() || value.size() > 32) return impulse::unexpected<std::string>("bad id");
      for (char c : value)
        if (!std::isalnum(static_cast<unsigned char>(c))) return impulse::unexpected<std::string>("bad id");
      id = std::string(value);
    }
  }
  if (first) return impulse::unexpected<std::string>("TXT does not start with v=STSv1");
  if (!id) return impulse::unexpected<std::string>("TXT has no id");
  return *id;
}

bool mta_sts_mx_matches(const MtaStsPolicy& policy, std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);
  const std::string h = lower(host);
  for (const auto& pattern : policy.mx) {
    if (pattern.starts_with("*.")) {
      const auto dot = h.find('.');
      if (dot != std::string::npos && dot > 0 && std::string_view(h).substr(dot + 1) == std::string_view(pattern).substr(2))
        return true;
    } else if (pattern == h) {
      return true;
    }
  }
  return false;
}

const char* mta_sts_mode_name(MtaStsMode mode) {
  switch (mode) {
    case MtaStsMode::kNone: return "none";
    case MtaStsMode::kTesting: return "testing";
    case MtaStsMode::kEnforce: return "enforce";
  }
  return "?";
}

}  // namespace impulse::protocol
