// Fuzz target: Google service-account key files and token URIs
// (protocol/service_account.hpp). Any input is either refused with a
// non-empty reason or gives a service account whose required fields are
// all non-empty, whose type is "service_account", and whose token_uri
// parses to the same host, port and path again; parse_token_uri on the
// raw input never yields an empty host or a path not starting with '/'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/service_account.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = parse_service_account(text);
  if (!a) {
    if (a.error().empty()) std::abort();
  } else {
    if (a->type != "service_account" || a->project_id.empty() || a->private_key.empty() || a->client_email.empty() ||
        a->token_uri.empty())
      std::abort();
    auto again = parse_token_uri(a->token_uri);
    if (!again || again->host != a->token.host || again->port != a->token.port || again->path != a->token.path)
      std::abort();
  }
  auto uri = parse_token_uri(text);
  if (uri && (uri->host.empty() || uri->path.empty() || uri->path.front() != '/' || uri->port == 0)) std::abort();
  return 0;
}
