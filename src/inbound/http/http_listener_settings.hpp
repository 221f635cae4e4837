// HttpListenerSettings: the resolved options of one `Listen` address of an
// HTTP_Listener (SPEC §16; reference/momentum.md §11.2), filled by the
// daemon's wiring (apps/impulsed/settings_from_config.cpp) from the
// listener -> Listen -> global cascade; the HTTP code never reads the
// configuration itself. A plain value, copied into the listener at open();
// any thread.
//
// Who may use it (SPEC §16): a client inside relay_hosts (loopback only
// when Relay_Hosts is set nowhere: the wiring fills that default), and,
// when api_keys is not empty, only with `Authorization: Bearer <key>` for
// kApiKey routes (http_access.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/net.hpp"

namespace impulse::inbound::http {

inline constexpr std::uint64_t kDefaultMaxRequestSize = 10 * 1024 * 1024;

struct HttpListenerSettings {
  std::string address = "127.0.0.1";  // IP literal without brackets
  std::uint16_t port = 8081;          // 0 = any free port (HttpListener::port)

  std::vector<config::Cidr> relay_hosts;  // Relay_Hosts
  std::vector<std::string> api_keys;      // API_Keys; empty = no key needed
  std::uint64_t max_request_size = kDefaultMaxRequestSize;  // Max_Request_Size: 413 beyond
  // http_header_timeout: a request head (or the next one on a keep-alive
  // connection) must arrive within it; http_body_timeout: then its body,
  // and each response write.
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds body_timeout{60};
  std::size_t max_connections = 1000;  // Service_Sessions: per Listen address, over all loops; 503 beyond
  std::string tls_certificate;         // TLS_Certificate / TLS_Key (PEM): HTTPS when both set
  std::string tls_key;
  std::string mm7_vasp_path;           // MM7_VASP_Path: MM7 delivery reports (inbound/http/mm7_routes.hpp)
  std::string mm7_vasp_basic_auth;     // MM7_VASP_Basic_Auth "user:password"; "" = none
  bool log_requests = false;           // Log_Requests_To_Paniclog

  // "127.0.0.1:8081", "[::1]:8081".
  std::string display_address() const;
  bool tls_configured() const { return !tls_certificate.empty() && !tls_key.empty(); }
};

// Relay_Hosts when the configuration sets it nowhere: 127.0.0.0/8 and ::1.
std::vector<config::Cidr> default_http_relay_hosts();

}  // namespace impulse::inbound::http
