// The option registry and scope catalogue (config/registry.hpp): every
// option declared once with Momentum's defaults and scopes.
#include <gtest/gtest.h>

#include <set>

#include "config/registry.hpp"
#include "config/value_check.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

std::string default_text(std::string_view name) {
  const auto& d = def(name);
  return format_value(d, d.default_value.data);
}

TEST(Registry, EveryDefaultConvertsAndFormatsBack) {
  // Building the registry converts every default (a bad one aborts); each
  // formatted default must convert again to the same value.
  for (const auto& d : registry().options()) {
    if (d.type == OptionType::Dict) continue;
    std::string text = format_value(d, d.default_value.data);
    if (!text.empty() && text.front() == '"') text = text.substr(1, text.size() - 2);
    if (text.starts_with("(")) text = text.substr(1, text.size() - 2);
    auto conv = convert_text(d, text);
    ASSERT_TRUE(conv) << d.name << ": " << conv.error();
    EXPECT_TRUE(*conv == d.default_value.data) << d.name;
  }
}

TEST(Registry, NamesAreUniqueLowerCaseAndFoundCaseInsensitively) {
  std::set<std::string_view> seen;
  for (const auto& d : registry().options()) EXPECT_TRUE(seen.insert(d.name).second) << d.name;
  EXPECT_EQ(registry().find("Delivery_Method"), &def("delivery_method"));
  EXPECT_EQ(registry().find("LMTP_PORT"), &def("lmtp_port"));
  EXPECT_EQ(registry().find("no_such_option"), nullptr);
}

TEST(Registry, SeedOptions) {
  EXPECT_EQ(default_text("delivery_method"), "esmtp");
  EXPECT_EQ(def("delivery_method").members,
            (std::vector<std::string_view>{"esmtp", "smtp", "lmtp", "ecstream", "apn", "gcm", "mm7"}));
  EXPECT_EQ(valid_scopes_text(def("delivery_method")), "binding, binding_group, domain, global");
  EXPECT_EQ(valid_scopes_text(def("routes")), "domain, global");
  EXPECT_EQ(valid_scopes_text(def("gateway")), "binding, binding_group, domain, global");
  EXPECT_EQ(default_text("lmtp_port"), "2003");
  EXPECT_EQ(valid_scopes_text(def("lmtp_port")), "binding, binding_group, domain, global");
  EXPECT_EQ(default_text("remote_smtp_port"), "25");
  EXPECT_EQ(default_text("ecstream_port"), "1825");
}

TEST(Registry, MomentumDefaults) {
  EXPECT_EQ(default_text("max_outbound_connections"), "32");
  EXPECT_EQ(default_text("server_max_outbound_connections"), "20000");
  EXPECT_EQ(default_text("connection_allocation_aggressiveness"), "normal");
  EXPECT_EQ(default_text("host_failure_retry"), "120");
  EXPECT_EQ(default_text("mx_failures_to_delay"), "50");
  EXPECT_EQ(default_text("connect_timeout_to_delay"), "900");
  EXPECT_EQ(default_text("dns_failures_to_purge"), "10");
  EXPECT_EQ(default_text("min_dns_ttl"), "0");
  EXPECT_EQ(default_text("max_dns_ttl"), "4294967295");
  EXPECT_EQ(default_text("use_ipv6"), "false");
  EXPECT_EQ(default_text("retry_interval"), "1200");
  EXPECT_EQ(default_text("max_retry_interval"), "43200");
  EXPECT_EQ(default_text("max_retries"), "auto");
  EXPECT_EQ(default_text("message_expiration"), "86400");
  EXPECT_EQ(default_text("delayed_queue_scan_interval"), "15");
  EXPECT_EQ(default_text("generate_bounces"), "true");
  EXPECT_EQ(default_text("bounces_inline_original"), "headers");
  EXPECT_EQ(default_text("max_recipients_per_batch"), "100");
  EXPECT_EQ(default_text("idle_timeout"), "5");
  EXPECT_EQ(default_text("connect_timeout"), "300");
  EXPECT_EQ(default_text("body_timeout"), "600");
  EXPECT_EQ(default_text("rset_timeout"), "30");
  EXPECT_EQ(default_text("delivery_response_timeout"), "5000");
  EXPECT_EQ(default_text("tls"), "no");
  EXPECT_EQ(default_text("tls_verify"), "no");
  EXPECT_EQ(default_text("xclient"), "no");
  EXPECT_EQ(default_text("send_8bitmime"), "no");
  EXPECT_EQ(default_text("ehlo_hostname"), "__hostname__");
  EXPECT_EQ(default_text("spoolbase"), "\"/var/spool/ecelerity\"");
  EXPECT_EQ(default_text("spool_mode"), "0640");
  EXPECT_EQ(default_text("file_mode"), "0660");
  EXPECT_EQ(default_text("timeout"), "60");
  EXPECT_EQ(default_text("resolv_conf"), "\"/etc/resolv.conf\"");
  EXPECT_EQ(default_text("mainlog"), "\"/var/log/ecelerity/mainlog.ec\"");
  EXPECT_EQ(default_text("bouncelog"), "\"/var/log/ecelerity/bouncelog.ec\"");
  EXPECT_EQ(default_text("heartbeat"), "60");
  EXPECT_EQ(default_text("mm7_version"), "6.8.0");
  EXPECT_EQ(default_text("gcm_ttl"), "-1");
}

TEST(Registry, UnsetDefaults) {
  EXPECT_EQ(default_text("gateway"), "\"\"");
  EXPECT_EQ(default_text("routes"), "( )");
  EXPECT_EQ(default_text("nameservers"), "( )");
  EXPECT_EQ(default_text("relay_hosts"), "( )");
  EXPECT_EQ(default_text("outbound_throttle_messages"), "0");
}

TEST(Registry, HostScope) {
  EXPECT_TRUE(def("max_outbound_connections").valid_in(ScopeKind::Host));
  ASSERT_TRUE(def("max_outbound_connections").host_default);
  EXPECT_EQ(def("max_outbound_connections").host_default->as_int(), -1);
  EXPECT_TRUE(def("outbound_throttle_messages").valid_in(ScopeKind::Host));
  EXPECT_TRUE(def("outbound_throttle_connections").valid_in(ScopeKind::Host));
  EXPECT_FALSE(def("outbound_throttle_messages").host_default);
  EXPECT_FALSE(def("lmtp_port").valid_in(ScopeKind::Host));
  EXPECT_EQ(valid_scopes_text(def("max_outbound_connections")), "binding, binding_group, domain, global, host");
}

TEST(Registry, GlobalOnlyAndListenerOptions) {
  EXPECT_EQ(valid_scopes_text(def("nameservers")), "global");
  EXPECT_EQ(valid_scopes_text(def("spoolbase")), "global");
  EXPECT_EQ(valid_scopes_text(def("relay_hosts")), "ecstream_listener, esmtp_listener, global, http_listener, listen");
  EXPECT_EQ(valid_scopes_text(def("file_mode")), "control_listener, listen");
  EXPECT_EQ(valid_scopes_text(def("prohibited_hosts")), "global");
  EXPECT_EQ(valid_scopes_text(def("delivery_response_timeout")), "binding, domain, global");
}

TEST(Registry, ReloadableFlag) {
  EXPECT_FALSE(def("spoolbase").reloadable);
  EXPECT_FALSE(def("spool_mode").reloadable);
  EXPECT_TRUE(def("routes").reloadable);
  EXPECT_TRUE(def("max_outbound_connections").reloadable);
}

TEST(Registry, ModuleOptions) {
  EXPECT_TRUE(def("mainlog").valid_in_module("ec_logger"));
  EXPECT_FALSE(def("mainlog").valid_in_module("bounce_logger"));
  EXPECT_TRUE(def("bouncelog").valid_in_module("bounce_logger"));
  EXPECT_TRUE(def("heartbeat").valid_in_module("ec_logger"));
  EXPECT_TRUE(def("heartbeat").valid_in_module("bounce_logger"));
  EXPECT_TRUE(def("enabled").valid_in_module("apn"));
  EXPECT_TRUE(def("debug_level").valid_in_module("gcm"));
  EXPECT_FALSE(def("mainlog").valid_in(ScopeKind::Global));
  EXPECT_EQ(valid_scopes_text(def("mainlog")), "ec_logger");
  EXPECT_EQ(valid_scopes_text(def("heartbeat")), "bounce_logger, ec_logger");
}

TEST(Registry, ScopeCatalogue) {
  const auto& r = registry();
  auto allowed = [&](std::string_view k, ScopeKind parent) {
    const ScopeDef* s = r.find_scope(k);
    EXPECT_NE(s, nullptr) << k;
    return s && (s->allowed_in & scope_bit(parent)) != 0;
  };
  EXPECT_TRUE(allowed("binding_group", ScopeKind::Global));
  EXPECT_FALSE(allowed("binding_group", ScopeKind::BindingGroup));
  EXPECT_TRUE(allowed("Binding", ScopeKind::BindingGroup));
  EXPECT_FALSE(allowed("binding", ScopeKind::Domain));
  EXPECT_TRUE(allowed("domain", ScopeKind::Binding));
  EXPECT_TRUE(allowed("domain", ScopeKind::BindingGroup));
  EXPECT_FALSE(allowed("domain", ScopeKind::Host));
  EXPECT_TRUE(allowed("host", ScopeKind::Binding));
  EXPECT_TRUE(allowed("ESMTP_Listener", ScopeKind::Global));
  EXPECT_TRUE(allowed("listen", ScopeKind::ControlListener));
  EXPECT_FALSE(allowed("listen", ScopeKind::Global));
  EXPECT_TRUE(allowed("peer", ScopeKind::Listen));
  EXPECT_TRUE(allowed("peer", ScopeKind::EsmtpListener));
  EXPECT_TRUE(allowed("ec_logger", ScopeKind::Global));
  EXPECT_EQ(r.find_scope("ec_logger")->kind, ScopeKind::Module);
  EXPECT_EQ(r.find_scope("nonsense"), nullptr);
}

TEST(Registry, SuggestionsOnlyWhenClose) {
  EXPECT_EQ(registry().suggest_option("max_outbound_conections"), "max_outbound_connections");
  EXPECT_EQ(registry().suggest_option("Delivery_Methd"), "delivery_method");
  EXPECT_EQ(registry().suggest_option("lmtp_prot"), "lmtp_port");
  EXPECT_EQ(registry().suggest_option("completely_unrelated_words"), std::nullopt);
  EXPECT_EQ(registry().suggest_option("x"), std::nullopt);
  EXPECT_EQ(registry().suggest_scope("bindng"), "binding");
  EXPECT_EQ(registry().suggest_scope("Domian"), "domain");
  EXPECT_EQ(registry().suggest_scope("ESMTP_Listner"), "esmtp_listener");
}

}  // namespace
}  // namespace impulse::config
