// BindingHeaderPolicy: the BindingPolicy (routing/router.hpp) that lets a relay client
// pick the binding (MultiVIP "virtual MTA") of a message with a header
// (reference/momentum.md §4; SPEC §5 "no binding assigned = default"):
//
//   X-Impulse-Binding: NAME        that binding (its group, if it has one)
//   X-Impulse-Binding-Group: NAME  a member of that group, round-robin in
//                                  file order, skipping members whose
//                                  suspend_delivery is set unless all are
//
// Rules:
//   - Honoured only for mail injected by clients inside Relay_Hosts. Today
//     every injected message is from such a client (the ESMTP listener
//     refuses RCPT to anyone else), so the injector calls
//     choose_from_data() for every injected message; generated messages
//     (bounces) never carry a choice and go to "default".
//   - X-Impulse-Binding wins when both headers are present.
//   - Both headers are always removed from the message before it is stored,
//     so they never reach the next hop (strip at injection).
//   - An unknown binding or group name (or an empty group) sends the mail
//     to binding "default" and writes one paniclog line naming the message.
//   - Binding names are case-sensitive (as in the configuration).
//
// Leaves to others: parsing and stripping the header lines
// (binding_header.hpp); calling the hook at injection (queue/injector.cpp,
// through BindingPolicy::choose_from_data).
// Threading: const members are thread-safe (the round-robin counters are
// under a mutex); the configuration is read per message from the live
// snapshot. Failure modes: none (unknown names fall back to "default").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "routing/binding_header.hpp"
#include "routing/router.hpp"

namespace impulse::routing {

class BindingHeaderPolicy final : public BindingPolicy {
 public:
  using ConfigSource = std::function<config::ConfigPtr()>;
  using ProblemSink = std::function<void(std::string_view)>;  // one paniclog line

  BindingHeaderPolicy(ConfigSource config, ProblemSink problem)
      : config_(std::move(config)), problem_(std::move(problem)) {}

  // Messages without a header choice (generated bounces, recovery): "default".
  BindingChoice choose(const spool::Message&) const override { return {}; }

  // The injection hook: strips the binding headers from `data` (the
  // client's data, before the Received: header is added) and returns the
  // binding they name, or nullopt when the data had neither header.
  // `subject` names the message in paniclog lines (its id).
  std::optional<BindingChoice> choose_from_data(std::string& data, std::string_view subject) const override;

  // The binding for header values already extracted (no stripping).
  BindingChoice resolve(const BindingHeaders& headers, std::string_view subject) const;

 private:
  BindingChoice pick_from_group(const config::Config& config, const std::string& group,
                                       std::string_view subject) const;
  void problem(std::string text) const;

  ConfigSource config_;
  ProblemSink problem_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::uint64_t, std::less<>> next_member_;  // group -> round-robin position
};

}  // namespace impulse::routing
