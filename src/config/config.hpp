// The validated, immutable configuration snapshot and the one API the rest of
// Impulse uses to read options (SPEC §2; reference/momentum.md §1.4).
//
// A Config is built once by load_config()/build_config() and then only read,
// from any thread (std::shared_ptr<const Config>); reload builds a new one.
// Every value is typed by the option registry (config/registry.hpp), so
// readers never parse strings again.
//
// Resolution (outbound options), most specific first:
//   binding_group::binding::domain, binding::domain, binding_group::domain,
//   binding, binding_group, global domain, global, built-in default.
// `Host` scope has its own chain (binding_group::binding::host,
// binding_group::host, binding::host, global host) and never falls back into
// the outbound chain; max_outbound_connections unset there = -1 (unlimited).
// Domain stanzas match exact names first (case-insensitive), then /regex/
// stanzas in file order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.hpp"
#include "config/diagnostic.hpp"

namespace impulse::config {

// A throttle spec "N" or "N/S": N events per S seconds.
struct RateSpec {
  std::int64_t count = 0;
  std::int64_t per_seconds = 1;
  bool operator==(const RateSpec&) const = default;
};

struct DictValue;

// A typed option value. Which alternative an option holds is fixed by its
// registry type: Bool -> bool; Int/Duration/Size/Mode -> int64 (durations in
// seconds, or in milliseconds for *_ms options such as
// delivery_response_timeout); Enum/String/Path/Host -> string (enum
// members lower-cased); lists -> vector<string>; Throttle -> RateSpec;
// Dict -> DictValue. Details in config/registry.hpp (OptionType): modes are
// int64 from octal text; max_retries is int64 with kRetriesAuto (-1) and
// kRetriesNone (-2); CIDR lists hold normalised "network/prefix" strings;
// route lists and Gateway hold the text as written (already validated:
// parse_route_item / parse_endpoint cannot fail on them); an unset string
// option (e.g. Gateway) is "" and an unset throttle is RateSpec{0, 1}
// (count 0 = unlimited).
using OptionData = std::variant<bool, std::int64_t, std::string, std::vector<std::string>, RateSpec,
                                std::shared_ptr<const DictValue>>;

struct OptionValue {
  OptionData data;
  SourceLoc loc;  // where it was set (empty file for built-in defaults)

  bool as_bool() const { return std::get<bool>(data); }
  std::int64_t as_int() const { return std::get<std::int64_t>(data); }
  const std::string& as_string() const { return std::get<std::string>(data); }
  const std::vector<std::string>& as_list() const { return std::get<std::vector<std::string>>(data); }
  const RateSpec& as_rate() const { return std::get<RateSpec>(data); }
};

struct DictValue {
  std::vector<std::pair<std::string, std::string>> entries;  // flattened scalar entries
};

// Identifies one configuration scope node, e.g. "global",
// "binding_group:g1", "binding:b1", "binding_group:g1/binding:b1/domain:example.com",
// "domain:/regex/". Stable across lookups within one Config; used as the key
// that owns a throttle bucket (throttles are shared by reference).
using ScopeId = std::string;

// Where an outbound lookup starts.
struct OutboundKey {
  std::string binding = "default";  // binding name (case-sensitive)
  std::string domain;               // recipient/routing domain; empty = no domain level
};

struct Resolved {
  const OptionValue* value = nullptr;  // never null: built-in default when unset
  ScopeId owner;                       // scope that set it; "default" if built-in
  bool is_default() const { return owner == "default"; }
};

// One `Listen "addr" { }` (with its Peer children) inside a listener.
struct ListenConfig {
  std::string address;  // as written, e.g. "127.0.0.1:2525", "[::1]:2525", "/tmp/2025"
  SourceLoc loc;
};

struct BindingInfo {
  std::string name;
  std::optional<std::string> group;  // enclosing binding_group, if any
};

class Config {
 public:
  virtual ~Config() = default;

  // Outbound chain lookup (the SPEC §2 order) of a registry option.
  // Precondition: `option` is a registered option valid in some outbound
  // scope (asserts otherwise: that is a bug, not a user error).
  virtual Resolved resolve(const OutboundKey& key, std::string_view option) const = 0;

  // Host chain lookup: `host` as it appears in the MX record or route.
  // value == nullptr when no host scope along the chain sets it.
  virtual Resolved resolve_host(std::string_view binding, std::string_view host,
                                std::string_view option) const = 0;

  // Global-only options (spoolbase, nameservers, ...): value or default.
  virtual const OptionValue& global(std::string_view option) const = 0;

  // `config eval` form: a scope path like {"binding","b1","domain","x.com"}
  // then the option. Error text for a bad path or unknown option.
  virtual impulse::expected<Resolved, std::string> eval(const std::vector<std::string>& path,
                                                        std::string_view option) const = 0;

  // Bindings declared (plus the implicit "default"), in file order.
  virtual const std::vector<BindingInfo>& bindings() const = 0;
  // Members of a binding group, in file order (empty if unknown).
  virtual std::vector<std::string> binding_group_members(std::string_view group) const = 0;

  // Listener scopes: keyword is "esmtp_listener", "control_listener",
  // "ecstream_listener" or "http_listener". Empty if the listener is absent.
  virtual std::vector<ListenConfig> listens(std::string_view listener_keyword) const = 0;
  // Listener option with listener -> Listen -> (Peer matching `peer_ip`) fallback,
  // then global, then default.
  virtual Resolved resolve_listener(std::string_view listener_keyword, std::string_view listen_address,
                                    std::string_view option, std::string_view peer_ip = {}) const = 0;

  // Module stanza option, e.g. module("ec_logger", "mainlog"). nullptr if unset.
  virtual const OptionValue* module_option(std::string_view module, std::string_view option) const = 0;

  // The files this config was read from (main file first).
  virtual const std::vector<std::string>& files() const = 0;

  // Advice found while loading (FILE:LINE:COL: warning: ...), in file
  // order: printed by --check, at start and on reload; never an error.
  virtual const Diagnostics& warnings() const = 0;
};

using ConfigPtr = std::shared_ptr<const Config>;

// Options that need a restart (registry: not reloadable, e.g. spoolbase)
// whose values differ between the running and the next configuration, by
// name, sorted. `config reload` reports them: they keep their running value.
std::vector<std::string> restart_required_changes(const Config& running, const Config& next);

// Parse + validate + freeze. On failure: every diagnostic, in file order.
impulse::expected<ConfigPtr, Diagnostics> load_config(const std::string& path);

// Same, from text (unit tests, console `config reload` of a given text).
impulse::expected<ConfigPtr, Diagnostics> load_config_text(std::string_view text, const std::string& filename);

}  // namespace impulse::config
