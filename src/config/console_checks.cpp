// Implementation of config/console_checks.hpp.
#include "config/console_checks.hpp"

#include <fstream>
#include <sstream>

#include "config/net.hpp"
#include "protocol/smtp_auth_passwords.hpp"

namespace impulse::config {
namespace {

// The Listen's own value, else its Control_Listener's.
const OptionValue* listen_or_listener(const ScopeNode& listen, std::string_view option) {
  if (const OptionValue* v = own_value(listen, option)) return v;
  return listen.parent ? own_value(*listen.parent, option) : nullptr;
}

void check_password_file(const OptionValue& v, Diagnostics& errors) {
  const std::string& path = v.as_string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(Diagnostic{v.loc, "console_password_file " + path + ": cannot be read"});
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (auto parsed = protocol::parse_password_file(text.str()); !parsed)
    errors.push_back(Diagnostic{v.loc, "console_password_file " + path + ": " + parsed.error()});
}

void check_listen(const ScopeNode& listen, Diagnostics& errors) {
  const OptionValue* file = listen_or_listener(listen, "console_password_file");
  const bool has_file = file && !file->as_string().empty();
  if (has_file) check_password_file(*file, errors);
  const OptionValue* auth = listen_or_listener(listen, "enable_authentication");
  const bool authenticated = auth && auth->as_bool() && has_file;
  const OptionValue* cert = listen_or_listener(listen, "tls_certificate");
  const OptionValue* key = listen_or_listener(listen, "tls_key");
  const bool tls = cert && !cert->as_string().empty();
  const bool socket = is_console_socket_path(listen.name);
  if (key && !key->as_string().empty() && !tls)
    errors.push_back(Diagnostic{key->loc, "tls_key on a Control_Listener Listen needs tls_certificate"});
  // Set on the socket's own Listen (one on Control_Listener is for its TCP Listens).
  if (const OptionValue* own_cert = own_value(listen, "tls_certificate"); socket && own_cert && !own_cert->as_string().empty())
    errors.push_back(Diagnostic{own_cert->loc, "tls_certificate on a Control_Listener Unix socket: TLS is for TCP "
                                               "Listens (a socket is guarded by File_Mode)"});
  if (socket || is_loopback_listen(listen.name)) {
    if (auth && auth->as_bool() && !has_file)
      errors.push_back(Diagnostic{auth->loc, "Enable_Authentication on a Control_Listener needs "
                                             "Console_Password_File = \"FILE\" (lines user:crypt-hash): "
                                             "without it nobody could log in"});
    return;
  }
  if (authenticated && tls) return;
  if (authenticated) {
    errors.push_back(Diagnostic{
        listen.loc, "Control_Listener Listen \"" + listen.name +
                        "\" is not a loopback address and has no TLS: console passwords and commands would cross "
                        "the network in the clear; add tls_certificate and tls_key to this Listen"});
    return;
  }
  errors.push_back(Diagnostic{
      listen.loc, "Control_Listener Listen \"" + listen.name +
                      "\" is not a loopback address: anyone who reaches it could run every console command; "
                      "listen on 127.0.0.1 or a Unix socket, or add Enable_Authentication = true and "
                      "Console_Password_File = \"FILE\" (lines user:crypt-hash) to this Listen, with "
                      "tls_certificate and tls_key"});
}

void check_console_node(const ScopeNode& node, Diagnostics& errors) {
  if (node.kind == ScopeKind::Listen && node.parent && node.parent->kind == ScopeKind::ControlListener)
    check_listen(node, errors);
  for (const auto& child : node.children) check_console_node(*child, errors);
}

}  // namespace

bool is_console_socket_path(std::string_view a) {
  return a.rfind("unix:", 0) == 0 || (!a.empty() && (a[0] == '/' || a[0] == '.')) ||
         a.find(':') == std::string_view::npos;
}

bool is_loopback_listen(std::string_view address) {
  auto ep = parse_endpoint(address);
  if (!ep || !ep->ip) return false;
  const IpAddress& ip = *ep->ip;
  if (!ip.v6) return ip.bytes[0] == 127;
  for (std::size_t i = 0; i < 15; ++i)
    if (ip.bytes[i] != 0) return false;
  return ip.bytes[15] == 1;
}

void check_console(const ScopeNode& root, Diagnostics& errors) { check_console_node(root, errors); }

}  // namespace impulse::config
