// Implementation of config/value_check.hpp.
#include "config/value_check.hpp"

#include <charconv>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "config/net.hpp"
#include "config/route_item.hpp"

namespace impulse::config {

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

bool is_list_type(OptionType t) {
  return t == OptionType::StringList || t == OptionType::CidrList || t == OptionType::RouteList ||
         t == OptionType::NameserverList;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string range_text(const OptionDef& def, std::string_view unit_plural, std::string_view noun) {
  if (def.min == 0 && def.max == kInt64Max) return fmt::format("expected a whole number of {}", unit_plural);
  if (def.max == kInt64Max) return fmt::format("expected {} of at least {}", noun, def.min);
  return fmt::format("expected {} between {} and {}", noun, def.min, def.max);
}

std::optional<std::int64_t> parse_size(std::string_view s) {
  s = trim(s);
  std::int64_t mult = 1;
  if (!s.empty()) {
    switch (ascii_lower(s.back())) {
      case 'k': mult = 1024; break;
      case 'm': mult = 1024 * 1024; break;
      case 'g': mult = 1024LL * 1024 * 1024; break;
      default: break;
    }
    if (mult != 1) s.remove_suffix(1);
  }
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  auto v = parse_int(s);
  if (!v || *v > kInt64Max / mult) return std::nullopt;
  return *v * mult;
}

std::optional<std::int64_t> parse_mode(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 5) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    v = v * 8 + (c - '0');
  }
  if (v > 07777) return std::nullopt;
  return v;
}

bool valid_address(std::string_view s) {
  if (s == "*") return true;
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') return parse_ip(s.substr(1, s.size() - 2)).has_value();
  if (parse_ip(s)) return true;
  auto ep = parse_endpoint(s, false);
  return ep.has_value() && !ep->port && !ep->ip;
}

// One scalar (or one list item) converted for def's type. List types return
// the item as the single string.
impulse::expected<OptionData, std::string> convert_scalar(const OptionDef& def, std::string_view raw) {
  std::string_view s = trim(raw);
  auto fail = [&] { return impulse::unexpected(expected_text(def)); };
  switch (def.type) {
    case OptionType::Bool: {
      auto b = parse_bool(s);
      if (!b) return fail();
      return OptionData{*b};
    }
    case OptionType::Int:
    case OptionType::Duration:
    case OptionType::Milliseconds: {
      auto v = parse_int(s);
      if (!v || *v < def.min || *v > def.max) return fail();
      return OptionData{*v};
    }
    case OptionType::Size: {
      auto v = parse_size(s);
      if (!v || *v < def.min || *v > def.max) return fail();
      return OptionData{*v};
    }
    case OptionType::Mode: {
      auto v = parse_mode(s);
      if (!v) return fail();
      return OptionData{*v};
    }
    case OptionType::Enum: {
      for (auto m : def.members)
        if (iequals(m, s)) return OptionData{std::string(m)};
      return fail();
    }
    case OptionType::String:
    case OptionType::Path:
      return OptionData{std::string(raw)};
    case OptionType::Address:
      if (!valid_address(s)) return fail();
      return OptionData{std::string(s)};
    case OptionType::Endpoint:
    case OptionType::EndpointOrUnix: {
      // A socket is "unix:PATH" or an absolute path: "mx.example.com/25" is a typo, not a socket.
      const bool unix_form =
          def.type == OptionType::EndpointOrUnix && (istarts_with(s, "unix:") || s.starts_with('/'));
      auto ep = parse_endpoint(s, unix_form);
      if (!ep) return impulse::unexpected(ep.error());
      return OptionData{std::string(s)};
    }
    case OptionType::StringList:
      return OptionData{std::vector<std::string>{std::string(raw)}};
    case OptionType::CidrList: {
      auto c = parse_cidr(s);
      if (!c) return impulse::unexpected(c.error());
      return OptionData{std::vector<std::string>{c->network.str() + "/" + std::to_string(c->prefix)}};
    }
    case OptionType::RouteList: {
      auto r = parse_route_item(s);
      if (!r) return impulse::unexpected(r.error());
      return OptionData{std::vector<std::string>{std::string(s)}};
    }
    case OptionType::NameserverList: {
      auto ep = parse_endpoint(s, false);
      if (!ep) return impulse::unexpected(ep.error());
      if (!ep->ip) return fail();
      return OptionData{std::vector<std::string>{std::string(s)}};
    }
    case OptionType::Throttle: {
      auto r = parse_rate(s);
      if (!r) return fail();
      return OptionData{*r};
    }
    case OptionType::Retries: {
      if (iequals(s, "auto")) return OptionData{kRetriesAuto};
      if (iequals(s, "none")) return OptionData{kRetriesNone};
      auto v = parse_int(s);
      if (!v || *v < 0) return fail();
      return OptionData{*v};
    }
    case OptionType::Dict:
      return fail();
  }
  return fail();
}

Diagnostic diag(const SourceLoc& loc, std::string message) { return Diagnostic{loc, std::move(message)}; }

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' || c == '/' || c == '"' || c == '\'' ||
        c == '=' || c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')' || c == '\\')
      return true;
  return false;
}

std::string quote(std::string_view s) {
  if (!needs_quotes(s)) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
  text = trim(text);
  for (auto t : {"true", "on", "enabled", "yes", "1"})
    if (iequals(text, t)) return true;
  for (auto f : {"false", "off", "disabled", "no", "0"})
    if (iequals(text, f)) return false;
  return std::nullopt;
}

std::optional<RateSpec> parse_rate(std::string_view text) {
  text = trim(text);
  RateSpec r;
  auto slash = text.find('/');
  auto count_text = text.substr(0, slash);
  if (count_text.empty() || count_text.front() == '-' || count_text.front() == '+') return std::nullopt;
  auto n = parse_int(count_text);
  if (!n || *n < 0) return std::nullopt;
  r.count = *n;
  if (slash != std::string_view::npos) {
    auto per_text = text.substr(slash + 1);
    if (per_text.empty() || per_text.front() == '-' || per_text.front() == '+') return std::nullopt;
    auto s = parse_int(per_text);
    if (!s || *s < 1) return std::nullopt;
    r.per_seconds = *s;
  }
  return r;
}

std::string expected_text(const OptionDef& def) {
  switch (def.type) {
    case OptionType::Bool: return "expected a boolean (true/false, on/off, yes/no, 1/0)";
    case OptionType::Int:
      if (def.max == kInt64Max) return fmt::format("expected an integer of at least {}", def.min);
      return fmt::format("expected an integer between {} and {}", def.min, def.max);
    case OptionType::Duration: return range_text(def, "seconds", "a number of seconds");
    case OptionType::Milliseconds: return range_text(def, "milliseconds", "a number of milliseconds");
    case OptionType::Size: return "expected a size in bytes, e.g. 1048576 or 1M (suffixes K, M, G)";
    case OptionType::Mode: return "expected an octal file mode such as 0640";
    case OptionType::Enum: {
      std::string out = "expected one of: ";
      for (std::size_t i = 0; i < def.members.size(); ++i) {
        if (i) out += ", ";
        out += def.members[i];
      }
      return out;
    }
    case OptionType::String: return "expected a text value";
    case OptionType::Path: return "expected a file path";
    case OptionType::Address: return "expected '*', an IP address or a host name";
    case OptionType::StringList: return "expected a list of values, e.g. ( a \"b c\" )";
    case OptionType::CidrList: return "expected an IPv4 or IPv6 address with optional /prefix";
    case OptionType::RouteList:
      return "expected a route: a host name, an IP address, \"__mx__\" or "
             "\"smtp://HOST?pref=P&ttl=T&port=O&type=Y\"";
    case OptionType::Endpoint: return "expected a host name or IP address with optional :port";
    case OptionType::EndpointOrUnix:
      return "expected a host name or IP address with optional :port, or a socket \"unix:/path\"";
    case OptionType::NameserverList:
      return "expected an IP address with optional port, e.g. \"127.0.0.1:5353\" or \"[::1]:53\"";
    case OptionType::Throttle: return "expected a rate \"N\" or \"N/S\" (N per S seconds)";
    case OptionType::Retries: return "expected auto, none or a whole number of retries";
    case OptionType::Dict: return "expected a dictionary [ key = value ... ]";
  }
  return "expected a value";
}

impulse::expected<OptionData, Diagnostics> check_value(const OptionDef& def, const Value& value) {
  Diagnostics errors;
  if (def.type == OptionType::Dict) {
    if (value.kind != Value::Kind::Dict) return impulse::unexpected(Diagnostics{diag(value.loc, expected_text(def))});
    auto dict = std::make_shared<DictValue>();
    for (const auto& e : value.entries) {
      if (e.value.kind != Value::Kind::Scalar) {
        errors.push_back(diag(e.value.loc, "expected a single value for '" + e.key + "'"));
        continue;
      }
      dict->entries.emplace_back(e.key, e.value.text);
    }
    if (!errors.empty()) return impulse::unexpected(std::move(errors));
    return OptionData{std::shared_ptr<const DictValue>(std::move(dict))};
  }
  if (is_list_type(def.type)) {
    if (value.kind == Value::Kind::Dict)
      return impulse::unexpected(Diagnostics{diag(value.loc, expected_text(def) + ", not a dictionary")});
    std::vector<const Value*> items;
    if (value.kind == Value::Kind::Scalar)
      items.push_back(&value);
    else
      for (const auto& item : value.items) items.push_back(&item);
    std::vector<std::string> out;
    for (const Value* item : items) {
      if (item->kind != Value::Kind::Scalar) {
        errors.push_back(diag(item->loc, expected_text(def) + ", not a nested " +
                                             (item->kind == Value::Kind::Array ? "list" : "dictionary")));
        continue;
      }
      auto conv = convert_scalar(def, item->text);
      if (!conv) {
        errors.push_back(diag(item->loc, conv.error()));
        continue;
      }
      out.push_back(std::get<std::vector<std::string>>(*conv).front());
    }
    if (!errors.empty()) return impulse::unexpected(std::move(errors));
    return OptionData{std::move(out)};
  }
  if (value.kind != Value::Kind::Scalar)
    return impulse::unexpected(Diagnostics{diag(
        value.loc, expected_text(def) + (value.kind == Value::Kind::Array ? ", not a list" : ", not a dictionary"))});
  auto conv = convert_scalar(def, value.text);
  if (!conv) return impulse::unexpected(Diagnostics{diag(value.loc, conv.error())});
  return std::move(*conv);
}

impulse::expected<OptionData, std::string> convert_text(const OptionDef& def, std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) {
    switch (def.type) {
      case OptionType::String:
      case OptionType::Path:
      case OptionType::Endpoint:
      case OptionType::EndpointOrUnix:
        return OptionData{std::string()};
      case OptionType::Throttle:
        return OptionData{RateSpec{}};
      case OptionType::Dict:
        return OptionData{std::shared_ptr<const DictValue>(std::make_shared<DictValue>())};
      default:
        break;
    }
  }
  if (def.type == OptionType::Dict) return impulse::unexpected(expected_text(def));
  if (is_list_type(def.type)) {
    std::vector<std::string> out;
    for (auto item : split(t, ' ')) {
      if (item.empty()) continue;
      auto conv = convert_scalar(def, item);
      if (!conv) return impulse::unexpected(conv.error());
      out.push_back(std::get<std::vector<std::string>>(*conv).front());
    }
    return OptionData{std::move(out)};
  }
  return convert_scalar(def, text);
}

std::string format_value(const OptionDef& def, const OptionData& data) {
  if (auto b = std::get_if<bool>(&data)) return *b ? "true" : "false";
  if (auto i = std::get_if<std::int64_t>(&data)) {
    if (def.type == OptionType::Mode) return fmt::format("{:04o}", *i);
    if (def.type == OptionType::Retries && *i == kRetriesAuto) return "auto";
    if (def.type == OptionType::Retries && *i == kRetriesNone) return "none";
    return std::to_string(*i);
  }
  if (auto s = std::get_if<std::string>(&data)) return quote(*s);
  if (auto l = std::get_if<std::vector<std::string>>(&data)) {
    std::string out = "(";
    for (const auto& item : *l) out += " " + quote(item);
    return out + " )";
  }
  if (auto r = std::get_if<RateSpec>(&data)) {
    if (r->per_seconds == 1) return quote(std::to_string(r->count));
    return quote(fmt::format("{}/{}", r->count, r->per_seconds));
  }
  if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&data)) {
    std::string out = "[";
    if (*d)
      for (const auto& [k, v] : (*d)->entries) out += " " + quote(k) + " = " + quote(v);
    return out + " ]";
  }
  return {};
}

}  // namespace impulse::config
