// Implementation of protocol/smtp_auth_passwords.hpp.
#include "protocol/smtp_auth_passwords.hpp"

namespace impulse::protocol {
namespace {

// "$id$..." with a non-empty id of [a-z0-9], or a traditional 13-character
// DES hash (libcrypt still verifies it; accepted so old files load).
bool crypt_format(std::string_view hash) {
  auto salt_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
  };
  if (hash.size() > 3 && hash[0] == '$') {
    const std::size_t end = hash.find('$', 1);
    if (end == std::string_view::npos || end == 1) return false;
    for (std::size_t i = 1; i < end; ++i) {
      const char c = hash[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
    }
    return end + 1 < hash.size();
  }
  if (hash.size() != 13) return false;
  for (char c : hash)
    if (!salt_char(c)) return false;
  return true;
}

}  // namespace

impulse::expected<std::vector<PasswordEntry>, std::string> parse_password_file(std::string_view text) {
  std::vector<PasswordEntry> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&](std::string_view why) {
      return impulse::unexpected<std::string>("line " + std::to_string(line_no) + ": " + std::string(why));
    };
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == line.size()) return bad("expected user:hash");
    PasswordEntry e{std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))};
    for (char c : e.user) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x21 || u == 0x7f) return bad("control character or space in the user name");
    }
    if (!crypt_format(e.hash)) return bad("the hash of " + e.user + " is not in a crypt(3) format");
    for (const auto& seen : out)
      if (seen.user == e.user) return bad("user " + e.user + " given twice");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace impulse::protocol
