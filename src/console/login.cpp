// Implementation of console/login.hpp.
#include "console/login.hpp"

#include "base/strings.hpp"
#include "console/commands.hpp"
#include "protocol/base64.hpp"

namespace impulse::console {

namespace {

bool valid_user(std::string_view user) {
  if (user.empty() || user.size() > 255) return false;
  for (char c : user) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '"') return false;
  }
  return true;
}

std::string_view first_word(std::string_view line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start);
  return line.substr(0, line.find_first_of(" \t\r"));
}

}  // namespace

bool is_login_line(std::string_view line) { return iequals(first_word(line), "login"); }

std::string format_login_line(std::string_view user, std::string_view password) {
  return "login " + std::string(user) + " " + protocol::encode_base64(password);
}

impulse::expected<LoginRequest, std::string> parse_login_line(std::string_view line) {
  const Words words = split_words(line);
  if (words.empty() || !iequals(words[0], "login") || words.size() < 2 || words.size() > 3)
    return impulse::unexpected<std::string>("Usage: login USER BASE64-PASSWORD\n");
  if (!valid_user(words[1])) return impulse::unexpected<std::string>("Login failed: malformed user name.\n");
  LoginRequest out{words[1], {}};
  if (words.size() == 3) {
    auto password = protocol::decode_base64(words[2]);
    if (!password) return impulse::unexpected<std::string>("Login failed: the password is not base64.\n");
    if (password->find('\0') != std::string::npos)
      return impulse::unexpected<std::string>("Login failed: NUL in the password.\n");
    out.password = std::move(*password);
  }
  return out;
}

Reply LoginGate::refusal() {
  return failed("Login required: this console needs 'login USER BASE64-PASSWORD' first (impulsectl -u USER).\n");
}

LoginGate::Verdict LoginGate::answer(const LoginRequest& request, bool valid) {
  if (!required_) return Verdict{ok("This console does not require a login.\n")};
  if (!user_.empty()) return Verdict{failed("Already logged in as " + user_ + ".\n")};
  if (valid) {
    user_ = request.user;
    failures_ = 0;
    return Verdict{ok("Logged in as " + user_ + ".\n")};
  }
  ++failures_;
  Verdict v{failed("Login failed: unknown user or wrong password.\n")};
  if (failures_ > kLoginFailuresBeforeDelay) v.delay = kLoginFailureDelay;
  if (failures_ >= kLoginFailuresBeforeClose) {
    v.reply.text += "Too many failed logins; closing.\n";
    v.close = true;
  }
  return v;
}

}  // namespace impulse::console
