// The console's commands end to end over a real admin::Admin and Scheduler
// (queue tests' SchedulerHarness with the FakeAgent): each parses its
// words, calls admin and prints Momentum's text; bad arguments are failed
// replies with one line of usage.
#include <gtest/gtest.h>

#include "admin/admin.hpp"
#include "console/admin_commands.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::console {
namespace {

using queue::testing::SchedulerHarness;

const std::string kSender = "alice@sender.example";

struct Console {
  explicit Console(const std::string& config_text = "") : h(config_text) {
    admin::DaemonActions daemon;
    daemon.reload = [](const std::string&) {
      return admin::ReloadOutcome{false, {"x.conf:1:1: error: one", "x.conf:2:1: error: two"}};
    };
    daemon.shutdown = [this] { ++shutdowns; };
    daemon.version = "impulsed (Impulse) 1.2.3";
    add_commands(registry, std::make_shared<admin::Admin>(admin::AdminDeps{
                               .scheduler = *h.scheduler, .connections = nullptr, .inbound_concurrency = {},
                               .daemon = std::move(daemon)}));
  }
  Reply run(const std::string& line) {
    std::optional<Reply> got;
    registry.dispatch(line, [&](Reply r) { got = std::move(r); });
    h.drain();
    EXPECT_TRUE(got.has_value()) << line << ": no reply";
    return got.value_or(Reply{false, "<no reply>"});
  }
  SchedulerHarness h;
  CommandRegistry registry;
  int shutdowns = 0;
};

TEST(AdminCommands, BadArgumentsGetOneLineOfUsage) {
  Console c;
  EXPECT_EQ(c.run("summary now").text, "usage: summary\n");
  EXPECT_EQ(c.run("mailq -l").text, "usage: mailq [-d DOMAIN]... [-b BINDING]... [-l N]\n");
  EXPECT_EQ(c.run("mailq -l many").text, "mailq: -l needs a number\n");
  EXPECT_EQ(c.run("showqueue example.com 5").text, "usage: showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET]\n");
  EXPECT_EQ(c.run("fail domain all").text, "usage: fail domain [quiet] NAME\n");
  EXPECT_EQ(c.run("binding fail domain quiet b1").text, "usage: binding fail domain [quiet] BINDING NAME\n");
  EXPECT_EQ(c.run("binding flush domain example.com").text, "usage: binding flush domain BINDING NAME|all\n");
  EXPECT_EQ(c.run("message retry nonsense").text, "'nonsense' is not a message id\n");
  EXPECT_EQ(c.run("message details nonsense").text, "message details: 'nonsense' is not a message id\n");
  EXPECT_EQ(c.run("config eval binding b1").text, "usage: config eval [SCOPE NAME]... OPTION\n");
  EXPECT_FALSE(c.run("mailq -x 1").ok);
}

TEST(AdminCommands, QueueCommandsPrintTheScheduler) {
  Console c("Domain \"example.com\" { suspend_delivery = true }\n");
  auto id = c.h.id_of(c.h.inject(kSender, {"bob@example.com"})).to_string();
  EXPECT_NE(c.run("summary").text.find("\tActive Queue Size: 1\n\tDelayed Queue Size: 0\n"), std::string::npos);
  EXPECT_NE(c.run("mailq").text.find("default/default"), std::string::npos);
  const std::string shown = c.run("showqueue binding all EXAMPLE.com").text;
  EXPECT_EQ(shown.substr(0, 17 + id.size()), "[active/default] " + id) << shown;
  EXPECT_NE(shown.find("From: <alice@sender.example> To: <bob@example.com>\n"), std::string::npos);
  EXPECT_EQ(c.run("showqueue example.com 1,1").text, "") << "offset past the only message";
  EXPECT_NE(c.run("binding summary").text.find("Binding: default\n\tActive Queue Size: 1\n"), std::string::npos);
  EXPECT_NE(c.run("message details " + id).text.find("Queue: default/example.com (active)\n"), std::string::npos);
  EXPECT_EQ(c.run("domain example.com").text,
            "Domain 'example.com' has no domain record\nQueue: Active: 1 Delayed: 0\nDeliveries: 0\nFailures: 0\n");
}

TEST(AdminCommands, ActionsReportTheirCounts) {
  Console c("Domain \"example.com\" { suspend_delivery = true }\n");
  auto id = c.h.id_of(c.h.inject(kSender, {"bob@example.com"})).to_string();
  c.h.inject(kSender, {"carol@example.com"});
  EXPECT_EQ(c.run("flush domain all").text, "all flushed. 0 messages requeued.\n");
  EXPECT_EQ(c.run("message fail quiet " + id).text, "Message " + id + " failed.\n");
  Reply again = c.run("message retry " + id);
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.text, "Message " + id + " not found\n");
  EXPECT_EQ(c.run("binding fail domain quiet nobinding example.com").text, "example.com purged. 0 messages failed.\n");
  EXPECT_EQ(c.run("fail domain quiet Example.com").text, "Example.com purged. 1 messages failed.\n");
  EXPECT_EQ(c.run("refresh domain example.com").text, "example.com refreshed.\n");
}

TEST(AdminCommands, DaemonCommandsGoThroughTheDaemonActions) {
  Console c;
  EXPECT_EQ(c.run("version").text, "impulsed (Impulse) 1.2.3\n");
  Reply reload = c.run("config reload /tmp/x.conf");
  EXPECT_FALSE(reload.ok);
  EXPECT_EQ(reload.text,
            "x.conf:1:1: error: one\nx.conf:2:1: error: two\n"
            "Reload refused: the running configuration is unchanged.\n");
  EXPECT_EQ(c.run("shutdown").text, "Shutting down.\n");
  EXPECT_EQ(c.shutdowns, 1);
  Reply reopen = c.run("reopen logs");
  EXPECT_FALSE(reopen.ok) << "no reopen_logs action";
  const std::string help = c.run("help").text;
  for (const char* phrase : {"summary", "mailq", "showqueue", "binding summary", "message details ID", "domain NAME",
                             "refresh domain", "flush domain", "fail domain", "config reload", "config eval",
                             "version", "pid", "shutdown", "reopen logs"})
    EXPECT_NE(help.find(phrase), std::string::npos) << phrase;
}

}  // namespace
}  // namespace impulse::console
