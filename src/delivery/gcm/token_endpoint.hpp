// The OAuth token endpoint's HTTP exchange (SPEC §11 "Secure by default":
// the token_uri host is resolved like a route host: A (AAAA with use_ipv6)
// through the owner loop's dns::Resolver, libunbound honouring
// Nameservers (dns/host_lookup.hpp), the first address used; its
// certificate verified against the system store or the domain's tls_ca):
// one POST of the grant's form body to the service account's token_uri
// over a new connection (TLS; HTTP/2 when offered, else HTTP/1.1:
// gcm_link.hpp), closed after the answer.
// Grants are rare (one per service account per token lifetime), so no
// connection is kept.
//
// Leaves to others: the grant's content and the token's cache
// (access_token.hpp). Deadlines (docs/architecture.md rule 5): the name
// resolution and the connection within connect_timeout, the answer within
// delivery_response_timeout.
// Executor: the owner loop (`executor`, whose resolver `resolver` holds);
// the resolver is cleared by that loop's transport when it goes, and a
// grant after that fails. Failure modes: an error text (cannot resolve,
// connect or verify, no answer in time); never throws.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "delivery/gcm/access_token.hpp"
#include "dns/address_order.hpp"
#include "delivery/http1/http1_tls.hpp"
#include "delivery/http2/http2_tls.hpp"
#include "protocol/service_account.hpp"
#include "runtime/spawn.hpp"

namespace impulse::dns {
class Resolver;
}

namespace impulse::delivery::gcm {

// The owner loop's resolver while its transport lives (null after, or when
// the transport was given none: then only an IP literal token_uri works).
struct LoopResolver {
  // Set by the transport on its loop; cleared by its destructor, which may
  // run on another thread than a token grant still reading it: atomic.
  std::atomic<dns::Resolver*> resolver{nullptr};
};

struct TokenEndpoint {
  boost::asio::any_io_executor executor;
  std::shared_ptr<const LoopResolver> resolver;  // the executor's loop's
  dns::AddressPolicy address_policy;             // use_ipv6, prefer_ipv6_mxs
  protocol::TokenUri uri;
  http2::TlsContextPtr tls;
  http1::Http1TlsContextPtr h1_tls;  // null = HTTP/2 only
  bool verify = true;
  std::string bind_address;
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds response_timeout{5'000};
  runtime::ProblemSink problems;
};

boost::asio::awaitable<impulse::expected<PostAnswer, std::string>> post_token_form(TokenEndpoint endpoint,
                                                                                   std::string form);

// A Poster for AccessToken over post_token_form.
Poster token_poster(TokenEndpoint endpoint);

}  // namespace impulse::delivery::gcm
