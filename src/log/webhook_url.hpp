// WebhookUrl: a webhook's `url` split into what the HTTP client needs:
// scheme (http or https), host (IPv6 without brackets), port (default 80 /
// 443), the request target (path and query, "/" when empty) and the Host
// header. No userinfo, no fragment.
// Threading: pure. Failure modes: an Error saying what is wrong with the URL.
// Spec: RFC 3986 §3 (the subset above).
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace impulse::log {

struct WebhookUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target = "/";
  std::string host_header;  // host[:port] as written
};

Result<WebhookUrl> parse_webhook_url(std::string_view url);

}  // namespace impulse::log
