// Implementation of console_endpoint_from_config.hpp.
#include "console_endpoint_from_config.hpp"

#include <fstream>
#include <sstream>

#include "config/console_checks.hpp"
#include "inbound/esmtp_auth_passwords.hpp"
#include "inbound/tls_context.hpp"

namespace impulse::daemon {

namespace {

constexpr std::string_view kListener = "control_listener";

impulse::expected<std::shared_ptr<const inbound::AuthPasswords>, std::string> read_passwords(const std::string& path) {
  const std::string name = "Console_Password_File " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return impulse::unexpected<std::string>(name + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto loaded = inbound::AuthPasswords::from_text(text.str(), name);
  if (!loaded) return impulse::unexpected<std::string>(loaded.error().message);
  return *loaded;
}

}  // namespace

impulse::expected<console::ControlEndpoint, std::string> control_endpoint_from(const config::Config& cfg,
                                                                              const std::string& address) {
  auto resolved = [&](std::string_view option) { return cfg.resolve_listener(kListener, address, option); };
  // Set on the Listen or the Control_Listener, not inherited from the global scope.
  auto own = [&](std::string_view option) -> std::string {
    auto r = resolved(option);
    return r.is_default() || r.owner == "global" ? std::string() : r.value->as_string();
  };
  console::ControlEndpoint ep;
  ep.address = address;
  ep.file_mode = static_cast<unsigned>(resolved("file_mode").value->as_int());
  if (resolved("enable_authentication").value->as_bool()) {
    const std::string path = resolved("console_password_file").value->as_string();
    if (path.empty())
      return impulse::unexpected<std::string>("Control_Listener " + address +
                                              ": Enable_Authentication needs Console_Password_File");
    auto passwords = read_passwords(path);
    if (!passwords) return impulse::unexpected<std::string>("Control_Listener " + address + ": " + passwords.error());
    ep.login = [users = std::move(*passwords)](const std::string& user, const std::string& password) {
      return users->verify(user, password);
    };
  }
  // TLS is for TCP Listens; a socket inherits none from Control_Listener (File_Mode guards it).
  const std::string cert = config::is_console_socket_path(address) ? std::string() : own("tls_certificate");
  if (!cert.empty()) {
    std::string key = own("tls_key");
    if (key.empty()) key = cert;  // a PEM file may hold both
    auto ctx = inbound::make_server_tls_context(cert, key);
    if (!ctx) return impulse::unexpected<std::string>("Control_Listener " + address + ": " + ctx.error().message);
    ep.tls = std::move(*ctx);
  }
  return ep;
}

}  // namespace impulse::daemon
