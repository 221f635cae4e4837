// Implementation of inbound/esmtp_auth_passwords.hpp (libcrypt).
#include "inbound/esmtp_auth_passwords.hpp"

#include <crypt.h>

#include <fstream>
#include <sstream>

namespace impulse::inbound {

bool crypt_matches(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
  if (out == nullptr || out[0] == '*') return false;
  const std::string_view computed(out);
  if (computed.size() != hash.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < hash.size(); ++i) diff |= static_cast<unsigned char>(computed[i] ^ hash[i]);
  return diff == 0;
}

Result<std::shared_ptr<const AuthPasswords>> AuthPasswords::from_text(std::string_view text, std::string_view name) {
  auto parsed = protocol::parse_password_file(text);
  if (!parsed) return fail(std::string(name) + ": " + parsed.error());
  for (const auto& e : *parsed) {
    const int ok = crypt_checksalt(e.hash.c_str());
    if (ok != CRYPT_SALT_OK && ok != CRYPT_SALT_METHOD_LEGACY)
      return fail(std::string(name) + ": the hash of " + e.user + " is not one libcrypt can verify");
  }
  return std::shared_ptr<const AuthPasswords>(new AuthPasswords(std::move(*parsed)));
}

Result<std::shared_ptr<const AuthPasswords>> AuthPasswords::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("Auth_Password_File " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail("Auth_Password_File " + path + ": read error");
  return from_text(text.str(), "Auth_Password_File " + path);
}

bool AuthPasswords::verify(std::string_view user, std::string_view password) const {
  for (const auto& e : entries_) {
    if (e.user == user) return crypt_matches(password, e.hash);
  }
  if (!entries_.empty()) (void)crypt_matches(password, entries_.front().hash);  // same cost as a known user
  return false;
}

}  // namespace impulse::inbound
