// Implementation of log/webhook_url.hpp.
#include "log/webhook_url.hpp"

#include <charconv>

#include "base/strings.hpp"

namespace impulse::log {

Result<WebhookUrl> parse_webhook_url(std::string_view url) {
  WebhookUrl out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return fail("webhook url '" + std::string(url) + "': no scheme");
  const std::string scheme = to_lower(url.substr(0, sep));
  if (scheme == "https") out.tls = true;
  else if (scheme != "http") return fail("webhook url '" + std::string(url) + "': scheme must be http or https");
  std::string_view rest = url.substr(sep + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.target = std::string(rest.substr(slash));
    if (out.target.front() == '?') out.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos)
    return fail("webhook url '" + std::string(url) + "': credentials in the url are not supported (use auth_token)");
  out.host_header = std::string(authority);
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("webhook url '" + std::string(url) + "': unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("webhook url '" + std::string(url) + "': bad port");
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail("webhook url '" + std::string(url) + "': no host");
  if (!port.empty()) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535)
      return fail("webhook url '" + std::string(url) + "': bad port");
    out.port = std::string(port);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  return out;
}

}  // namespace impulse::log
