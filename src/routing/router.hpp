// Router: turns an envelope into the spool::Message the queue keeps, and
// splits a message into its (binding, domain) queues (SPEC §5: "each message
// is split per (binding, domain) at reception"; docs/architecture.md
// "Life of a message").
//
//   make_message(): recipients split at their last '@' (spool::split_address),
//     the domain lower-cased (the queue key); an address without '@' keeps
//     the whole address as local part and an empty domain (it will fail in
//     routing, visibly). The binding comes from the BindingPolicy, once per
//     message, and is copied to every recipient.
//   split(): groups a message's *pending* recipients by (binding, domain),
//     in order of first appearance; the scheduler makes each group a
//     queue (queue::QueueKey{binding, domain}).
//
// BindingPolicy is the hook for choosing the binding (MultiVIP,
// reference/momentum.md §4) per message; a later issue decides the real
// rules (binding_group preference for non-suspended bindings, scripted
// assignment). DefaultBindingPolicy assigns "default", no group.
//
// Leaves to others: durability (spool), queueing (queue/scheduler), ids
// (queue/id_source), the binding headers' policy (binding_header_policy.hpp).
// Threading: const and thread-safe, provided the policy is.
// Failure modes: none.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spool/message.hpp"

namespace impulse::routing {

struct BindingChoice {
  std::string binding = "default";
  std::string binding_group;  // "" = in no group
};

class BindingPolicy {
 public:
  virtual ~BindingPolicy() = default;
  // Called once per new message (injected or generated), with its envelope
  // and recipients already split; any thread; must be thread-safe.
  virtual BindingChoice choose(const spool::Message& message) const = 0;
  // Injected messages only: called by the injector with the client's data
  // before anything is stored; may remove policy headers from `data`
  // (e.g. X-Impulse-Binding). A choice returned here wins over choose().
  // `subject` names the message (its id) in diagnostics.
  virtual std::optional<BindingChoice> choose_from_data(std::string& /*data*/, std::string_view /*subject*/) const {
    return std::nullopt;
  }
};

class DefaultBindingPolicy final : public BindingPolicy {
 public:
  BindingChoice choose(const spool::Message&) const override { return {}; }
};

// The envelope of a new message.
struct Envelope {
  spool::MessageId id;
  spool::SpoolTime received{};
  std::string sender;                   // "" = null sender
  std::vector<std::string> recipients;  // as given (RCPT TO paths without <>)
  std::string peer_ip;
  std::string helo;  // the client's EHLO/HELO argument, "" if none
  std::string origin_id;  // the sending node's id (ECSTREAM), "" if none
  spool::Protocol protocol = spool::Protocol::kEsmtp;
  std::uint64_t size = 0;  // body size
  std::optional<BindingChoice> binding;  // from BindingPolicy::choose_from_data; wins over choose()
};

// A message's recipients of one (binding, domain) queue.
struct QueueGroup {
  std::string binding = "default";
  std::string domain;  // lower-case (as the recipients carry it)
  std::string binding_group;
  std::vector<std::uint32_t> indices;  // into Message::recipients
};

class Router {
 public:
  explicit Router(const BindingPolicy& policy) : policy_(policy) {}
  const BindingPolicy& policy() const { return policy_; }

  spool::Message make_message(Envelope envelope) const;
  static std::vector<QueueGroup> split(const spool::Message& message);

 private:
  const BindingPolicy& policy_;
};

}  // namespace impulse::routing
