// Implementation of auth_from_config.hpp.
#include "auth_from_config.hpp"

#include <memory>
#include <mutex>

#include "inbound/esmtp_auth_passwords.hpp"

namespace impulse::daemon {

namespace {

// The users of one Listen's Auth_Password_File for the latest snapshot.
class PasswordSource {
 public:
  PasswordSource(const config::LiveConfig& live, std::string address, std::function<void(const std::string&)> problem)
      : live_(live), address_(std::move(address)), problem_(std::move(problem)) {}

  // Reads the file for the current snapshot (once per snapshot).
  impulse::expected<std::shared_ptr<const inbound::AuthPasswords>, std::string> refresh() {
    const config::ConfigPtr cfg = live_.current();
    std::lock_guard lock(mu_);
    if (cfg == snapshot_) return table_;
    snapshot_ = cfg;
    const std::string& path =
        cfg->resolve_listener("esmtp_listener", address_, "auth_password_file").value->as_string();
    if (path.empty()) {
      table_.reset();
      return table_;
    }
    auto loaded = inbound::AuthPasswords::load(path);
    if (!loaded) return impulse::unexpected<std::string>("ESMTP_Listener " + address_ + ": " + loaded.error().message);
    table_ = std::move(*loaded);
    return table_;
  }

  std::shared_ptr<const inbound::AuthPasswords> current() {
    auto r = refresh();
    if (r) return *r;
    if (problem_) problem_(r.error() + " (the previous users stay in effect)");
    std::lock_guard lock(mu_);
    return table_;
  }

 private:
  const config::LiveConfig& live_;
  std::string address_;
  std::function<void(const std::string&)> problem_;
  std::mutex mu_;
  config::ConfigPtr snapshot_;
  std::shared_ptr<const inbound::AuthPasswords> table_;
};

}  // namespace

impulse::expected<void, std::string> set_auth(std::vector<inbound::ListenerSettings>& listens,
                                              const config::LiveConfig& live,
                                              std::function<void(const std::string&)> problem) {
  const config::ConfigPtr cfg = live.current();
  const auto configured = cfg->listens("esmtp_listener");
  for (std::size_t i = 0; i < listens.size() && i < configured.size(); ++i) {
    const std::string& address = configured[i].address;
    listens[i].auth_allow_plaintext =
        cfg->resolve_listener("esmtp_listener", address, "auth_allow_plaintext").value->as_bool();
    auto source = std::make_shared<PasswordSource>(live, address, problem);
    if (auto first = source->refresh(); !first) return impulse::unexpected<std::string>(first.error());
    listens[i].auth_passwords = [source] { return source->current(); };
  }
  return {};
}

}  // namespace impulse::daemon
