// DkimSigning: the queue::MessageSigner of the daemon (SPEC §19 DKIM
// signing at reception). For each message: the From: domain
// (protocol/dkim_from.hpp), the dkim_domain stanza for it (exact, then
// parent domains), opendkim_sign for the message's binding (the
// dkim_domain's own value wins), then DkimSigner.
//
// One DkimSigner per configuration snapshot: built at create() from the
// running snapshot, and again by the first message after a reload (keys
// read and checked once per load). A reloaded key that will not load
// leaves that snapshot unsigned and says so once on the paniclog.
// Leaves logging to the injector (it writes the returned problem).
// Threading: sign() from every listener loop at once; the snapshot is an
// atomic shared_ptr, the rebuild after a reload takes a mutex once.
// Failure modes: create() fails on an unloadable key (a start-up error);
// afterwards nothing fails a message: problems are paniclog texts
// ("<id>: DKIM: no From: header; sent unsigned").
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/expected.hpp"
#include "config/config.hpp"
#include "queue/message_signer.hpp"

namespace impulse::dkim {

class DkimSigner;

class DkimSigning final : public queue::MessageSigner {
 public:
  using ConfigSource = std::function<config::ConfigPtr()>;
  static impulse::expected<std::unique_ptr<DkimSigning>, std::string> create(ConfigSource config);
  ~DkimSigning() override;

  queue::MessageSignature sign(std::string_view id, std::string_view binding, std::string_view data) const override;

 private:
  struct Snapshot {
    config::ConfigPtr source;
    std::shared_ptr<const DkimSigner> signer;  // nullptr: nothing to sign with
    std::string problem;                       // why a reloaded snapshot has no signer
  };
  explicit DkimSigning(ConfigSource config) : config_(std::move(config)) {}
  // The snapshot for `current`, rebuilt when the configuration changed.
  // `fresh_problem` receives a rebuild's problem (reported once).
  std::shared_ptr<const Snapshot> snapshot(const config::ConfigPtr& current, std::string& fresh_problem) const;

  ConfigSource config_;
  mutable std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  mutable std::mutex rebuild_;
};

}  // namespace impulse::dkim
