// Implementation of mcmt_reception_from_config.hpp.
#include "mcmt_reception_from_config.hpp"

#include <string>

namespace impulse::daemon {

void set_mcmt_reception(std::vector<inbound::ListenerSettings>& listens, const config::ConfigPtr& cfg) {
  const auto configured = cfg->listens("esmtp_listener");
  for (std::size_t i = 0; i < listens.size() && i < configured.size(); ++i) {
    listens[i].mcmt_reception = [cfg, address = configured[i].address](std::string_view peer_ip) {
      const config::Resolved r = cfg->resolve_listener("esmtp_listener", address, "mcmt_reception", peer_ip);
      const std::string& v = r.value->as_string();
      if (v == "allow") return inbound::McmtReception::kAllow;
      if (v == "reject") return inbound::McmtReception::kReject;
      return inbound::McmtReception::kPassthru;
    };
  }
}

}  // namespace impulse::daemon
