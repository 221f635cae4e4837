// Implementation of dkim/dkim_signing.hpp.
#include "dkim/dkim_signing.hpp"

#include <algorithm>

#include "dkim/dkim_settings.hpp"
#include "dkim/dkim_signer.hpp"
#include "protocol/dkim_from.hpp"

namespace impulse::dkim {

impulse::expected<std::unique_ptr<DkimSigning>, std::string> DkimSigning::create(ConfigSource config) {
  std::unique_ptr<DkimSigning> s(new DkimSigning(std::move(config)));
  config::ConfigPtr current = s->config_();
  auto snap = std::make_shared<Snapshot>();
  snap->source = current;
  DkimSettings settings = dkim_settings_from(*current);
  if (!settings.domains.empty()) {
    auto signer = DkimSigner::create(std::move(settings));
    if (!signer) return impulse::unexpected(signer.error());
    snap->signer = std::move(*signer);
  }
  s->snapshot_.store(std::move(snap));
  return s;
}

DkimSigning::~DkimSigning() = default;

std::shared_ptr<const DkimSigning::Snapshot> DkimSigning::snapshot(const config::ConfigPtr& current,
                                                                   std::string& fresh_problem) const {
  auto snap = snapshot_.load(std::memory_order_acquire);
  if (snap && snap->source == current) return snap;
  std::lock_guard lock(rebuild_);
  snap = snapshot_.load(std::memory_order_acquire);
  if (snap && snap->source == current) return snap;
  auto next = std::make_shared<Snapshot>();
  next->source = current;
  DkimSettings settings = dkim_settings_from(*current);
  if (!settings.domains.empty()) {
    auto signer = DkimSigner::create(std::move(settings));
    if (signer) next->signer = std::move(*signer);
    else next->problem = "DKIM: reloaded configuration not used for signing, mail goes unsigned: " + signer.error();
  }
  fresh_problem = next->problem;
  snapshot_.store(next, std::memory_order_release);
  return next;
}

queue::MessageSignature DkimSigning::sign(std::string_view id, std::string_view binding, std::string_view data) const {
  queue::MessageSignature out;
  config::ConfigPtr current = config_();
  std::string rebuilt_problem;
  auto snap = snapshot(current, rebuilt_problem);
  if (!rebuilt_problem.empty()) out.problem = std::string(id) + ": " + rebuilt_problem;
  if (!snap->signer) return out;
  const DkimSettings& settings = snap->signer->settings();
  auto from = protocol::dkim_from_domain(data);
  if (!from) {
    // Only mail that some stanza would sign is worth a line: without a
    // From: domain, that is whenever signing is on for the binding at all.
    const bool any = std::any_of(settings.domains.begin(), settings.domains.end(),
                                 [&](const DomainSettings& d) { return signing_enabled(*current, binding, d); });
    if (any) {
      if (!out.problem.empty()) out.problem += "; ";
      else out.problem = std::string(id) + ": ";
      out.problem += "DKIM: " + from.error() + "; accepted unsigned";
    }
    return out;
  }
  const DomainSettings* domain = settings.find(*from);
  if (!domain || !signing_enabled(*current, binding, *domain)) return out;
  auto field = snap->signer->sign(*domain, id, data);
  if (!field) {
    if (!out.problem.empty()) out.problem += "; ";
    else out.problem = std::string(id) + ": ";
    out.problem += "DKIM d=" + domain->domain + ": " + field.error() + "; accepted unsigned";
    return out;
  }
  out.field = std::move(*field);
  return out;
}

}  // namespace impulse::dkim
