// Unit tests for delivery/smtp/smtp_settings_config.hpp: SmtpSettings from
// configurations read by config::load_config_text, with Momentum's
// fallback order (binding::domain over binding over domain over global).
#include "delivery/smtp/smtp_settings_config.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

using namespace std::chrono_literals;

config::ConfigPtr load(std::string_view text) {
  auto r = config::load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

TEST(SmtpSettingsFromConfig, BuiltInDefaults) {
  auto c = load("");
  ASSERT_TRUE(c);
  auto s = smtp_settings_from_config(*c, {"default", "example.com"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->protocol, SessionProtocol::kEsmtp);
  EXPECT_EQ(s->ehlo_hostname, local_hostname());
  EXPECT_FALSE(s->ehlo_from_sender);
  EXPECT_EQ(s->bind_address, "");
  EXPECT_EQ(s->tls, TlsMode::kNo);
  EXPECT_EQ(s->tls_verify, TlsVerify::kNo);
  EXPECT_TRUE(s->tls_ifavailable_fallback);
  EXPECT_EQ(s->tls_certificate, "");
  EXPECT_EQ(s->xclient, XclientMode::kNo);
  EXPECT_FALSE(s->send_8bitmime);
  EXPECT_EQ(s->max_recipients_per_batch, 100u);
  EXPECT_EQ(s->max_deliveries_per_connection, 0u);
  EXPECT_EQ(s->timeouts.connect, 300s);
  EXPECT_EQ(s->timeouts.ehlo, 300s);
  EXPECT_EQ(s->timeouts.mailfrom, 300s);
  EXPECT_EQ(s->timeouts.rcptto, 300s);
  EXPECT_EQ(s->timeouts.body, 600s);
  EXPECT_EQ(s->timeouts.rset, 30s);
  EXPECT_EQ(s->timeouts.idle, 5s);
  EXPECT_FALSE(s->tls_context);
}

TEST(SmtpSettingsFromConfig, EveryOptionAndTheFallbackOrder) {
  auto c = load(R"(
    ehlo_hostname = "mta.example.net"
    tls = ifavailable
    tls_verify = host
    tls_ca = "/etc/ssl/certs/ca-certificates.crt"
    tls_ifavailable_fallback = false
    xclient = ifavailable
    send_8bitmime = ifavailable
    max_recipients_per_batch = 50
    max_deliveries_per_connection = 20
    connect_timeout = 11
    ehlo_timeout = 12
    mailfrom_timeout = 13
    rcptto_timeout = 14
    body_timeout = 15
    rset_timeout = 16
    idle_timeout = 17
    Domain "lmtp.example" {
      delivery_method = LMTP
      rcptto_timeout = 99
    }
    Binding "b1" {
      bind_address = "127.0.0.2"
      tls = required
      tls_certificate = "/etc/impulse/client.pem"
      tls_key = "/etc/impulse/client.key"
      Domain "lmtp.example" {
        max_recipients_per_batch = 7
      }
    }
    Binding "b2" {
      bind_address = "[::1]"
      ehlo_hostname = "__message__"
      delivery_method = smtp
      tls_certificate = none
      xclient = required
    }
  )");
  ASSERT_TRUE(c);

  auto g = smtp_settings_from_config(*c, {"default", "example.com"});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->ehlo_hostname, "mta.example.net");
  EXPECT_EQ(g->tls, TlsMode::kIfAvailable);
  EXPECT_EQ(g->tls_verify, TlsVerify::kHost);
  EXPECT_EQ(g->tls_ca, "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_FALSE(g->tls_ifavailable_fallback);
  EXPECT_EQ(g->xclient, XclientMode::kIfAvailable);
  EXPECT_TRUE(g->send_8bitmime);
  EXPECT_EQ(g->max_recipients_per_batch, 50u);
  EXPECT_EQ(g->max_deliveries_per_connection, 20u);
  EXPECT_EQ(g->timeouts.connect, 11s);
  EXPECT_EQ(g->timeouts.ehlo, 12s);
  EXPECT_EQ(g->timeouts.mailfrom, 13s);
  EXPECT_EQ(g->timeouts.rcptto, 14s);
  EXPECT_EQ(g->timeouts.body, 15s);
  EXPECT_EQ(g->timeouts.rset, 16s);
  EXPECT_EQ(g->timeouts.idle, 17s);

  auto l = smtp_settings_from_config(*c, {"default", "lmtp.example"});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->protocol, SessionProtocol::kLmtp);
  EXPECT_EQ(l->timeouts.rcptto, 99s);
  EXPECT_EQ(l->max_recipients_per_batch, 50u);

  auto b1 = smtp_settings_from_config(*c, {"b1", "lmtp.example"});
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->bind_address, "127.0.0.2");
  EXPECT_EQ(b1->tls, TlsMode::kRequired);
  EXPECT_EQ(b1->tls_certificate, "/etc/impulse/client.pem");
  EXPECT_EQ(b1->tls_key, "/etc/impulse/client.key");
  EXPECT_EQ(b1->max_recipients_per_batch, 7u);  // binding::domain wins
  EXPECT_EQ(b1->protocol, SessionProtocol::kLmtp);  // global domain, below binding::domain

  auto b2 = smtp_settings_from_config(*c, {"b2", "example.com"});
  ASSERT_TRUE(b2) << b2.error().message;
  EXPECT_EQ(b2->bind_address, "::1");
  EXPECT_TRUE(b2->ehlo_from_sender);
  EXPECT_EQ(b2->protocol, SessionProtocol::kSmtp);
  EXPECT_EQ(b2->tls_certificate, "");
  EXPECT_EQ(b2->xclient, XclientMode::kRequired);
}

TEST(SmtpSettingsFromConfig, HostnameKeywordIsGethostname) {
  auto c = load("ehlo_hostname = __HOSTNAME__\n");
  ASSERT_TRUE(c);
  auto s = smtp_settings_from_config(*c, {"default", "example.com"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ehlo_hostname, local_hostname());
  EXPECT_NE(s->ehlo_hostname, "");
}

TEST(SmtpSettingsFromConfig, NonSmtpMethodsAreRefused) {
  auto c = load("Domain \"push.example\" { delivery_method = APN }\n");
  ASSERT_TRUE(c);
  auto s = smtp_settings_from_config(*c, {"default", "push.example"});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("apn"), std::string::npos) << s.error().message;
}

TEST(SmtpSettingsFromConfig, BindAddressHostNameIsRefused) {
  auto c = load("Binding \"b\" { bind_address = \"mail.example.net\" }\n");
  ASSERT_TRUE(c);
  auto s = smtp_settings_from_config(*c, {"b", "example.com"});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("mail.example.net"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace impulse::delivery::smtp
