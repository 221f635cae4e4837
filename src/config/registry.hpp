// The option registry: every configuration option Impulse knows, declared
// once with its name, value type, built-in default, the scopes it is valid
// in and whether `config reload` may change it; plus the scope catalogue
// (which stanza keyword may appear inside which). SPEC §2-§8 and
// reference/momentum.md §1.3 and §2-§10 are the sources of the defaults.
//
// It leaves value conversion to value_check.hpp, tree building and error
// reporting to validator.hpp, and lookups across scopes to config.hpp.
//
// The registry is an immutable table built on first use (registry()) and
// then only read, from any thread. Building it cannot fail at run time: a
// default that does not convert is a bug and aborts (a unit test converts
// every default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"

namespace impulse::config {

enum class OptionType : std::uint8_t {
  Bool,            // true/false, on/off, enabled/disabled, yes/no, 1/0 -> bool
  Int,             // decimal integer within [min, max] -> int64
  Duration,        // whole seconds within [min, max] -> int64
  Milliseconds,    // whole milliseconds within [min, max] -> int64
  Size,            // bytes, optional K/M/G suffix (powers of 1024) -> int64
  Mode,            // octal file mode, e.g. 0640 -> int64
  Enum,            // one of `members`, case-insensitive -> lower-cased string
  String,          // any scalar -> string
  Path,            // a file or directory path -> string
  Address,         // "*", an IP address (IPv6 with or without brackets) or a host name -> string
  StringList,      // ( a "b c" ) -> vector<string>
  CidrList,        // ( 127.0.0.0/8 ::1 ) -> vector<string>, each checked by parse_cidr
  RouteList,       // Routes items -> vector<string>, each checked by parse_route_item
  Endpoint,        // host[:port] (IPv6 bracketed) -> string, checked by parse_endpoint
  EndpointOrUnix,  // Endpoint or a Unix socket path -> string
  NameserverList,  // ( "127.0.0.1:5353" "[::1]:53" ): IP literals, optional port -> vector<string>
  Throttle,        // "N" or "N/S" -> RateSpec
  Retries,         // auto | none | N -> int64 (kRetriesAuto, kRetriesNone or N >= 0)
  Dict,            // [ k = v ... ] -> DictValue
};

// max_retries special values (as int64 in OptionValue).
inline constexpr std::int64_t kRetriesAuto = -1;
inline constexpr std::int64_t kRetriesNone = -2;

enum class ScopeKind : std::uint8_t {
  Global,
  BindingGroup,
  Binding,
  Domain,
  Host,
  EsmtpListener,
  ControlListener,
  EcstreamListener,
  HttpListener,
  Listen,
  Peer,
  Module,  // a module stanza such as ec_logger "ec_logger" { }
};

using ScopeSet = std::uint32_t;
constexpr ScopeSet scope_bit(ScopeKind k) { return ScopeSet{1} << static_cast<unsigned>(k); }
constexpr ScopeSet operator|(ScopeKind a, ScopeKind b) { return scope_bit(a) | scope_bit(b); }
constexpr ScopeSet operator|(ScopeSet a, ScopeKind b) { return a | scope_bit(b); }

// Scope sets used by the option tables.
inline constexpr ScopeSet kGlobal = scope_bit(ScopeKind::Global);
// binding, binding_group, domain, global: the outbound chain.
inline constexpr ScopeSet kOutbound = ScopeKind::Global | ScopeKind::BindingGroup | ScopeKind::Binding | ScopeKind::Domain;
inline constexpr ScopeSet kDomainGlobal = ScopeKind::Global | ScopeKind::Domain;
inline constexpr ScopeSet kListeners = ScopeKind::EsmtpListener | ScopeKind::ControlListener |
                                       ScopeKind::EcstreamListener | ScopeKind::HttpListener;
inline constexpr ScopeSet kEsmtpListener = ScopeKind::EsmtpListener | ScopeKind::Listen | ScopeKind::Peer;
inline constexpr ScopeSet kModule = scope_bit(ScopeKind::Module);

struct OptionDef {
  std::string_view name;  // canonical, lower-case
  OptionType type = OptionType::String;
  // Built-in default as configuration text; empty = unset (empty string or
  // list, a zero throttle = unlimited).
  std::string_view default_text;
  ScopeSet scopes = 0;
  bool reloadable = true;
  std::int64_t min = 0;  // Int, Duration, Milliseconds, Size
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::vector<std::string_view> members;  // Enum, lower-case, in the order error messages list them
  std::vector<std::string_view> modules;  // module keywords where valid (Module scope); "*" = every module
  // Value a `Host` lookup yields when no host stanza sets the option (only
  // max_outbound_connections: "-1" = unlimited). Empty = none (nullptr).
  std::string_view host_default_text;

  // Filled when the registry is built.
  std::size_t index = 0;
  OptionValue default_value;
  std::optional<OptionValue> host_default;

  bool valid_in(ScopeKind k) const { return (scopes & scope_bit(k)) != 0; }
  bool valid_in_module(std::string_view module_keyword) const;
};

// One stanza keyword of the scope catalogue (reference/momentum.md §1.3).
struct ScopeDef {
  std::string_view keyword;  // canonical, lower-case
  ScopeKind kind;
  enum class Naming { Required, Forbidden, Optional } naming;
  ScopeSet allowed_in;  // kinds of the enclosing scope
};

class Registry {
 public:
  explicit Registry(std::vector<OptionDef> options);

  const std::vector<OptionDef>& options() const { return options_; }
  const OptionDef& option(std::size_t index) const { return options_[index]; }
  // Case-insensitive; nullptr if unknown.
  const OptionDef* find(std::string_view name) const;
  // The closest known option name for a "did you mean" hint, if reasonably close.
  std::optional<std::string_view> suggest_option(std::string_view name) const;

  // Scope keywords (case-insensitive), including module keywords; nullptr if unknown.
  const ScopeDef* find_scope(std::string_view keyword) const;
  std::optional<std::string_view> suggest_scope(std::string_view keyword) const;
  const std::vector<ScopeDef>& scopes() const { return scopes_; }

 private:
  std::vector<OptionDef> options_;
  std::unordered_map<std::string, std::size_t> by_name_;
  std::vector<ScopeDef> scopes_;
};

// The one registry, built on first use.
const Registry& registry();

// Display name of a scope kind in messages ("binding_group", "esmtp_listener").
std::string_view scope_kind_name(ScopeKind k);
// "domain, global": the scopes of `def` sorted by name (module names for
// module-only options).
std::string valid_scopes_text(const OptionDef& def);
// The closest candidate within a "reasonable" edit distance, if any.
std::optional<std::string_view> closest_name(std::string_view name, const std::vector<std::string_view>& candidates);

// Shorthands for the option tables.
namespace opt {
inline OptionDef make(std::string_view name, OptionType type, std::string_view def, ScopeSet scopes) {
  OptionDef d;
  d.name = name;
  d.type = type;
  d.default_text = def;
  d.scopes = scopes;
  return d;
}
inline OptionDef boolean(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::Bool, def, scopes);
}
inline OptionDef integer(std::string_view name, std::string_view def, std::int64_t min, std::int64_t max,
                         ScopeSet scopes) {
  auto d = make(name, OptionType::Int, def, scopes);
  d.min = min;
  d.max = max;
  return d;
}
inline OptionDef port(std::string_view name, std::string_view def, ScopeSet scopes) {
  return integer(name, def, 0, 65535, scopes);
}
inline OptionDef seconds(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::Duration, def, scopes);
}
inline OptionDef millis(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::Milliseconds, def, scopes);
}
inline OptionDef size(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::Size, def, scopes);
}
inline OptionDef mode(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::Mode, def, scopes);
}
inline OptionDef one_of(std::string_view name, std::string_view def, std::vector<std::string_view> members,
                        ScopeSet scopes) {
  auto d = make(name, OptionType::Enum, def, scopes);
  d.members = std::move(members);
  return d;
}
inline OptionDef text(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::String, def, scopes);
}
inline OptionDef path(std::string_view name, std::string_view def, ScopeSet scopes) {
  return make(name, OptionType::Path, def, scopes);
}
inline OptionDef restart_only(OptionDef d) {
  d.reloadable = false;
  return d;
}
inline OptionDef in_modules(OptionDef d, std::vector<std::string_view> modules) {
  d.scopes |= kModule;
  d.modules = std::move(modules);
  return d;
}
}  // namespace opt

// The option tables, one per area (registry_<area>.cpp), concatenated by registry().
std::vector<OptionDef> routing_options();    // routes, gateway, methods, ports, DNS, destinations
std::vector<OptionDef> limit_options();      // connection limits and throttles
std::vector<OptionDef> delivery_options();   // session, TLS, timeouts, push/HTTP/MM7
std::vector<OptionDef> queue_options();      // retries, expiry, bounces, spool
std::vector<OptionDef> listener_options();   // injection and control listeners
std::vector<OptionDef> logging_options();    // ec_logger, bounce_logger, generic module options

}  // namespace impulse::config
