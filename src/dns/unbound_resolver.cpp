#include "dns/unbound_resolver.hpp"

#include <unbound.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "dns/answer_classify.hpp"
#include "dns/dns_name.hpp"
#include "dns/forwarder.hpp"

namespace impulse::dns {
namespace {

namespace asio = boost::asio;

constexpr int kClassIn = 1;
constexpr const char* kInvalidName = "invalid domain name";

// libunbound 1.17's built-in local zones outside the AS112 set (which
// "unblock-lan-zones: yes" drops), plus names later releases add. A
// `local-zone: "test." nodefault` option does not take effect through
// ub_ctx_set_option; ub_ctx_zone_remove does (verified against nsd, see
// tests/unit/dns/unbound_resolver_test.cpp). Removing an absent zone is a
// no-op.
constexpr std::array<const char*, 9> kDefaultLocalZones = {
    "localhost.",
    "127.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
    "onion.",
    "test.",
    "invalid.",
    "home.arpa.",
    "resolver.arpa.",
    "service.arpa.",
};

struct ContextDeleter {
  void operator()(ub_ctx* ctx) const { ub_ctx_delete(ctx); }
};
using ContextPtr = std::unique_ptr<ub_ctx, ContextDeleter>;

struct ResultDeleter {
  void operator()(ub_result* result) const { ub_resolve_free(result); }
};

Result<void> check(int rc, const std::string& what) {
  if (rc == 0) return {};
  return fail("libunbound: " + what + ": " + ub_strerror(rc), rc);
}

Result<void> configure(ub_ctx* ctx, const ResolverOptions& options) {
  if (auto ok = check(ub_ctx_async(ctx, 1), "background thread"); !ok) return ok;
  if (!options.trust_anchor_file.empty()) {
    // DS or DNSKEY records in zone-file format (Debian's root.key is one).
    int rc = ub_ctx_add_ta_file(ctx, options.trust_anchor_file.c_str());
    if (rc != 0) return fail("DNSSEC_Trust_Anchor_File \"" + options.trust_anchor_file + "\": " + ub_strerror(rc), rc);
  }
  if (options.nameservers.empty()) {
    const char* path = options.resolv_conf.empty() ? nullptr : options.resolv_conf.c_str();
    int rc = ub_ctx_resolvconf(ctx, path);
    if (rc != 0) {
      std::string file = path ? path : "/etc/resolv.conf";
      // ub_ctx_resolvconf returns errno when the file cannot be read.
      std::string why = rc > 0 ? std::strerror(rc) : ub_strerror(rc);
      return fail("cannot use " + file + ": " + why, rc);
    }
    return {};
  }
  for (const std::string& ns : options.nameservers) {
    auto fwd = unbound_forwarder(ns);
    if (!fwd) return fail("nameserver \"" + ns + "\": " + fwd.error().message);
    if (auto ok = check(ub_ctx_set_fwd(ctx, fwd->c_str()), "forwarder " + *fwd); !ok) return ok;
  }
  if (auto ok = check(ub_ctx_set_option(ctx, "unblock-lan-zones:", "yes"), "unblock-lan-zones"); !ok) return ok;
  // Must come last: removing a zone finalises the configuration.
  for (const char* zone : kDefaultLocalZones) {
    if (auto ok = check(ub_ctx_zone_remove(ctx, zone), std::string("remove local zone ") + zone); !ok) return ok;
  }
  return {};
}

}  // namespace

struct UnboundResolver::Impl : std::enable_shared_from_this<Impl> {
  struct Waiter {
    std::uint64_t id = 0;
    AnswerHandler done;
    std::unique_ptr<asio::steady_timer> deadline;
  };

  // One upstream query and everyone waiting for its answer. Its address is
  // libunbound's `mydata`, so it lives until libunbound is done with it:
  // until its callback ran, or ub_cancel succeeded, or the context is gone.
  struct Upstream {
    Impl* owner = nullptr;
    std::string key;    // absolute lower-case name + "|" + type
    std::string qname;  // absolute lower-case name
    RecordType type = RecordType::A;
    int async_id = 0;
    std::vector<Waiter> waiters;
  };

  asio::io_context& io_;
  ResolverOptions options_;
  ContextPtr ctx_;
  asio::posix::stream_descriptor results_;  // libunbound's result pipe (ub_fd); not ours to close
  bool waiting_ = false;    // a wait (or a posted look) on the result pipe is pending
  std::string broken_;      // why libunbound stopped answering; "" while it works
  std::map<std::string, std::unique_ptr<Upstream>> in_flight_;
  std::map<Upstream*, std::unique_ptr<Upstream>> abandoned_;  // cancel refused; drop its answer
  std::uint64_t next_waiter_id_ = 1;
  std::uint64_t upstream_queries_ = 0;

  Impl(asio::io_context& io, ResolverOptions options, ContextPtr ctx)
      : io_(io), options_(std::move(options)), ctx_(std::move(ctx)), results_(io) {}

  Result<void> open() {
    boost::system::error_code ec;
    results_.assign(ub_fd(ctx_.get()), ec);
    if (ec) return fail("cannot watch libunbound's result pipe: " + ec.message(), ec.value());
    return {};
  }

  Answer failure(const std::string& qname, Status status, std::string text) const {
    Answer answer;
    answer.status = status;
    answer.canonical_name = display_name(qname);
    answer.error_text = std::move(text);
    return answer;
  }

  void deliver(AnswerHandler done, std::shared_ptr<const Answer> answer) {
    asio::post(io_, [done = std::move(done), answer = std::move(answer)] { done(*answer); });
  }

  void deliver(Waiter& waiter, std::shared_ptr<const Answer> answer) {
    if (waiter.deadline) waiter.deadline->cancel();
    deliver(std::move(waiter.done), std::move(answer));
  }

  void query(const std::string& name, RecordType type, AnswerHandler done) {
    std::string qname = absolute_name(name);
    std::string key = qname + "|" + record_type_name(type);

    Waiter waiter;
    waiter.id = next_waiter_id_++;
    waiter.done = std::move(done);
    waiter.deadline = std::make_unique<asio::steady_timer>(io_, options_.query_timeout);
    waiter.deadline->async_wait(
        [weak = weak_from_this(), key, id = waiter.id](const boost::system::error_code& ec) {
          if (ec) return;
          if (auto self = weak.lock()) self->expire(key, id);
        });

    if (auto it = in_flight_.find(key); it != in_flight_.end()) {
      it->second->waiters.push_back(std::move(waiter));
      return;
    }
    // A name that cannot be encoded (label over 63 octets, name over 255,
    // bad escape) cannot exist: that is permanent, and nobody is asked.
    if (!is_valid_name(qname)) {
      deliver(waiter, std::make_shared<const Answer>(failure(qname, Status::NxDomain, kInvalidName)));
      return;
    }

    if (!broken_.empty()) {
      deliver(waiter, std::make_shared<const Answer>(failure(qname, Status::ServFail, broken_)));
      return;
    }

    auto upstream = std::make_unique<Upstream>();
    upstream->owner = this;
    upstream->key = key;
    upstream->qname = qname;
    upstream->type = type;
    int rc = ub_resolve_async(ctx_.get(), qname.c_str(), wire_type(type), kClassIn, upstream.get(),
                              &Impl::on_result, &upstream->async_id);
    if (rc != 0) {
      Status status = rc == UB_SYNTAX ? Status::NxDomain : Status::ServFail;
      std::string text = rc == UB_SYNTAX ? kInvalidName : std::string("resolver error: ") + ub_strerror(rc);
      deliver(waiter, std::make_shared<const Answer>(failure(qname, status, std::move(text))));
      return;
    }
    ++upstream_queries_;
    upstream->waiters.push_back(std::move(waiter));
    in_flight_.emplace(key, std::move(upstream));
    watch();
  }

  // Keeps one wait on the result pipe while anything is outstanding, and
  // none otherwise (so an idle resolver does not keep its loop running).
  // Asio's reactor is edge-triggered: results that arrived while no wait
  // was queued (after a cancelled wait, or late answers to cancelled
  // queries) raise no new edge, so look before waiting.
  void watch() {
    if (waiting_ || !broken_.empty() || (in_flight_.empty() && abandoned_.empty())) return;
    waiting_ = true;
    auto handler = [weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock()) self->on_readable(ec);
    };
    if (ub_poll(ctx_.get())) {
      asio::post(io_, [handler] { handler(boost::system::error_code()); });
      return;
    }
    results_.async_wait(asio::posix::descriptor_base::wait_read, handler);
  }

  // Drops the wait when nothing is outstanding any more (after timeouts).
  void unwatch_if_idle() {
    if (waiting_ && in_flight_.empty() && abandoned_.empty()) results_.cancel();
  }

  void on_readable(const boost::system::error_code& ec) {
    waiting_ = false;
    if (ec == asio::error::operation_aborted) {
      watch();  // a query may have started after the cancel
      return;
    }
    int rc = ec ? UB_PIPE : ub_process(ctx_.get());
    if (rc != 0) {
      // libunbound's background thread is gone: nothing will answer again.
      broken_ = ec ? "resolver result pipe: " + ec.message() : std::string("resolver error: ") + ub_strerror(rc);
      fail_all(Status::ServFail, broken_);
      return;
    }
    watch();
  }

  // libunbound's callback, run inside ub_process on the loop's thread.
  // Nothing may propagate through libunbound's C frames.
  static void on_result(void* mydata, int err, ub_result* result) noexcept {
    std::unique_ptr<ub_result, ResultDeleter> owned(result);
    auto* upstream = static_cast<Upstream*>(mydata);
    upstream->owner->complete(upstream, err, owned.get());
  }

  void complete(Upstream* upstream, int err, const ub_result* result) {
    std::unique_ptr<Upstream> done;
    if (auto it = abandoned_.find(upstream); it != abandoned_.end()) {
      abandoned_.erase(it);
      return;
    }
    auto it = in_flight_.find(upstream->key);
    if (it == in_flight_.end() || it->second.get() != upstream) return;  // cannot happen
    done = std::move(it->second);
    in_flight_.erase(it);

    RawResult raw;
    raw.error = err;
    if (err != 0 || result == nullptr) {
      raw.error = err != 0 ? err : UB_NOMEM;
      raw.error_text = ub_strerror(raw.error);
    } else {
      raw.rcode = result->rcode;
      raw.havedata = result->havedata != 0;
      raw.nxdomain = result->nxdomain != 0;
      raw.bogus = result->bogus != 0;
      raw.secure = result->secure != 0;
      if (result->why_bogus) raw.why_bogus = result->why_bogus;
      raw.ttl = result->ttl > 0 ? static_cast<std::uint32_t>(result->ttl) : 0;
      if (result->canonname) raw.canonname = result->canonname;
      for (int i = 0; result->data && result->data[i]; ++i) {
        raw.rdata.emplace_back(reinterpret_cast<const std::uint8_t*>(result->data[i]),
                               static_cast<std::size_t>(result->len[i]));
      }
    }
    auto answer = std::make_shared<const Answer>(
        err == UB_SYNTAX ? failure(done->qname, Status::NxDomain, kInvalidName)
                         : classify_result(raw, done->type, done->qname));
    for (Waiter& waiter : done->waiters) deliver(waiter, answer);
  }

  void expire(const std::string& key, std::uint64_t id) {
    auto it = in_flight_.find(key);
    if (it == in_flight_.end()) return;
    Upstream& upstream = *it->second;
    auto w = std::find_if(upstream.waiters.begin(), upstream.waiters.end(),
                          [id](const Waiter& x) { return x.id == id; });
    if (w == upstream.waiters.end()) return;
    auto text = "no answer within " + std::to_string(options_.query_timeout.count()) + " ms";
    deliver(*w, std::make_shared<const Answer>(failure(upstream.qname, Status::Timeout, std::move(text))));
    upstream.waiters.erase(w);
    if (!upstream.waiters.empty()) return;

    std::unique_ptr<Upstream> orphan = std::move(it->second);
    in_flight_.erase(it);
    if (ub_cancel(ctx_.get(), orphan->async_id) != 0) {
      Upstream* raw = orphan.get();
      abandoned_.emplace(raw, std::move(orphan));
    }
    unwatch_if_idle();
  }

  // Answers every waiter and cancels every upstream query (used when
  // libunbound's result pipe breaks).
  void fail_all(Status status, const std::string& text) {
    auto in_flight = std::move(in_flight_);
    in_flight_.clear();
    for (auto& [key, upstream] : in_flight) {
      auto answer = std::make_shared<const Answer>(failure(upstream->qname, status, text));
      for (Waiter& waiter : upstream->waiters) deliver(waiter, answer);
      upstream->waiters.clear();
      if (ub_cancel(ctx_.get(), upstream->async_id) != 0) {
        Upstream* raw = upstream.get();
        abandoned_.emplace(raw, std::move(upstream));
      }
    }
  }

  void shutdown() {
    results_.release();  // libunbound closes its own pipe
    ctx_.reset();        // stops the background thread; no callback runs after this
    abandoned_.clear();
    auto in_flight = std::move(in_flight_);
    in_flight_.clear();
    for (auto& [key, upstream] : in_flight) {
      auto answer = std::make_shared<const Answer>(failure(upstream->qname, Status::ServFail, "resolver shut down"));
      for (Waiter& waiter : upstream->waiters) deliver(waiter, answer);
    }
  }
};

Result<std::unique_ptr<UnboundResolver>> UnboundResolver::create(asio::io_context& io,
                                                                 const ResolverOptions& options) {
  ContextPtr ctx(ub_ctx_create());
  if (!ctx) return fail("libunbound: cannot create a resolver context");
  if (auto ok = configure(ctx.get(), options); !ok) return fail(ok.error().message, ok.error().code);
  auto impl = std::make_shared<Impl>(io, options, std::move(ctx));
  if (auto ok = impl->open(); !ok) return fail(ok.error().message, ok.error().code);
  return std::unique_ptr<UnboundResolver>(new UnboundResolver(std::move(impl)));
}

UnboundResolver::UnboundResolver(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

UnboundResolver::~UnboundResolver() { impl_->shutdown(); }

void UnboundResolver::query(const std::string& name, RecordType type, AnswerHandler done) {
  impl_->query(name, type, std::move(done));
}

std::uint64_t UnboundResolver::upstream_queries() const { return impl_->upstream_queries_; }

std::size_t UnboundResolver::in_flight() const { return impl_->in_flight_.size(); }

}  // namespace impulse::dns
