// UnboundResolver: dns::Resolver on libunbound, one per event loop
// (io_context). Queries go out with ub_resolve_async; libunbound's result
// pipe (ub_fd) is watched with an Asio descriptor wait and drained with
// ub_process on the loop's thread, so answers are classified and handed
// back on that thread. Concurrent queries for the same (name, type) share
// one upstream query. Each query() has its own deadline
// (ResolverOptions::query_timeout, `dns_query_timeout`): on expiry that
// caller gets Status::Timeout, and the upstream query is cancelled once no
// caller waits for it. Callbacks are always posted, never run inside
// query(). Destroying the resolver answers every waiting caller with
// ServFail ("resolver shut down"), posted.
//
// Executor: construct, call query() and destroy on the io_context's own
// thread; the object is not thread-safe. libunbound runs its network work
// in one background thread per resolver (ub_ctx_async(ctx, 1); the other
// mode forks a process, which a multi-threaded daemon holding spool files
// and listening sockets must not do).
//
// Leaves to others: retries and failure counting (routing/queue), MX
// sorting and address order (routing), caching policy beyond libunbound's
// own cache (TTL clamping: routing). DNSSEC validation runs only with a
// trust anchor (ResolverOptions::trust_anchor_file); answers then carry
// Security::kSecure/kInsecure/kBogus (DANE, RFC 7672).
//
// Failures: create() returns an Error for a bad nameserver entry or an
// unusable resolv.conf; everything after that is an Answer status.
// RFC 1035, RFC 2308, RFC 7505; reference/protocols.md §1.1, §8.1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/error.hpp"
#include "dns/resolver.hpp"
#include "dns/resolver_options.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::dns {

class UnboundResolver final : public Resolver {
 public:
  static Result<std::unique_ptr<UnboundResolver>> create(boost::asio::io_context& io,
                                                         const ResolverOptions& options);
  ~UnboundResolver() override;
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  void query(const std::string& name, RecordType type, AnswerHandler done) override;

  // Upstream queries started (ub_resolve_async calls that succeeded); a
  // query merged into one already in flight does not count.
  std::uint64_t upstream_queries() const;
  // Upstream queries currently in flight.
  std::size_t in_flight() const;

 private:
  struct Impl;
  explicit UnboundResolver(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace impulse::dns
