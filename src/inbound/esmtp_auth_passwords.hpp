// AuthPasswords: the users of an ESMTP listener's `Auth_Password_File`
// (SPEC §19), loaded once per configuration (start-up, reload) and shared
// read-only by every session; verify() checks a password against the
// user's crypt(3) hash with libcrypt's crypt_rn (yescrypt, sha512-crypt,
// bcrypt, ...; whatever the installed libxcrypt takes).
//
// Loading fails with a message naming the file and line: unreadable, a line
// that is not `user:hash` (protocol/smtp_auth_passwords.hpp), or a hash
// libcrypt cannot use (crypt_checksalt). An unknown user still costs one
// hash computation (against the first entry's setting) so timing does not
// tell which users exist.
//
// Threads: immutable after load(); verify() from any thread. verify()
// runs the hash on the calling thread: a yescrypt check takes a few
// milliseconds of CPU, once per AUTH attempt, so the listeners call it on
// a worker thread (runtime::WorkerThread), never on an event loop.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "protocol/smtp_auth_passwords.hpp"

namespace impulse::inbound {

class AuthPasswords {
 public:
  static Result<std::shared_ptr<const AuthPasswords>> load(const std::string& path);
  // `name` is used in error messages in place of a path.
  static Result<std::shared_ptr<const AuthPasswords>> from_text(std::string_view text, std::string_view name);

  bool verify(std::string_view user, std::string_view password) const;
  std::size_t size() const { return entries_.size(); }

 private:
  explicit AuthPasswords(std::vector<protocol::PasswordEntry> entries) : entries_(std::move(entries)) {}
  std::vector<protocol::PasswordEntry> entries_;
};

// crypt_rn(password, hash) == hash, in constant time over the result.
bool crypt_matches(std::string_view password, const std::string& hash);

}  // namespace impulse::inbound
