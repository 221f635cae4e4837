// admin::Admin over a real Scheduler (queue tests' SchedulerHarness with the
// FakeAgent), with a fake DomainConnections and fake daemon actions: the
// summary follows the queues, flush / fail / retry act on them, reload
// errors come through as a list, the domain report merges queue lines.
#include <gtest/gtest.h>

#include "admin/admin.hpp"
#include "base/strings.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::admin {
namespace {

using queue::testing::FakeAgent;
using queue::testing::SchedulerHarness;

const std::string kSender = "alice@sender.example";

// Records for the bindings it is told about; counts the calls.
class FakeConnections final : public DomainConnections {
 public:
  std::int64_t open_connections() const override { return open; }
  std::int64_t open_connections(std::string_view binding) const override { return binding == "default" ? open : 0; }
  void refresh_domain(std::string domain, std::function<void(std::size_t)> done) override {
    refreshed.push_back(domain);
    done(3);
  }
  void describe_domain(std::string domain, std::function<void(delivery::DomainDescription)> done) override {
    delivery::DomainDescription d;
    d.domain = to_lower(domain);
    for (const auto& b : record_bindings) {
      delivery::RecordView r;
      r.binding = b;
      d.records.push_back(std::move(r));
    }
    done(std::move(d));
  }
  std::int64_t open = 0;
  std::vector<std::string> record_bindings;
  std::vector<std::string> refreshed;
};

struct AdminHarness {
  explicit AdminHarness(const std::string& config_text = "", DaemonActions daemon = {})
      : h(config_text),
        connections(std::make_shared<FakeConnections>()),
        admin(AdminDeps{.scheduler = *h.scheduler,
                        .connections = connections,
                        .inbound_concurrency = [] { return std::uint64_t{4}; },
                        .daemon = std::move(daemon),
                        .started = std::chrono::steady_clock::now() - std::chrono::seconds(90)}) {}

  // Runs an asynchronous admin call to completion on the test thread.
  template <class T, class Call>
  T ask(Call call) {
    std::optional<T> got;
    call([&](T v) { got = std::move(v); });
    h.drain();
    EXPECT_TRUE(got.has_value()) << "completion not called";
    return got ? std::move(*got) : T{};
  }

  // A message for one recipient in one binding, enqueued directly.
  spool::MessageId enqueue(const std::string& binding, const std::string& domain) {
    spool::Message m;
    m.id = h.ids.next();
    m.received = spool::to_spool_time(h.clock.wall_now());
    m.sender = kSender;
    m.peer_ip = "198.51.100.7";
    m.size = 100;
    m.binding = binding;
    spool::Recipient r;
    r.address = "rcpt@" + domain;
    r.local_part = "rcpt";
    r.domain = domain;
    r.binding = binding;
    m.recipients.push_back(r);
    h.scheduler->enqueue(m);
    h.drain();
    return m.id;
  }

  SchedulerHarness h;
  std::shared_ptr<FakeConnections> connections;
  Admin admin;
};

TEST(Admin, SummaryCountsMoveWithAnEnqueuedMessage) {
  AdminHarness a("Domain \"example.com\" { suspend_delivery = true }\n");
  a.connections->open = 2;
  Summary before = a.admin.summary();
  EXPECT_EQ(before.total(), 0u);
  EXPECT_EQ(before.received, 0u);
  EXPECT_EQ(before.outbound_concurrency, 2u);
  EXPECT_EQ(before.inbound_concurrency, 4u);
  EXPECT_GE(before.uptime.count(), 90);

  a.h.inject(kSender, {"bob@example.com"});
  Summary after = a.admin.summary();
  EXPECT_EQ(after.received, 1u);
  EXPECT_EQ(after.active, 1u) << "suspended: waiting in the active queue";
  EXPECT_EQ(after.total(), 1u);
  EXPECT_EQ(after.delivered, 0u);

  auto queues = a.ask<std::vector<QueueLine>>([&](auto done) { a.admin.queues({}, done); });
  ASSERT_EQ(queues.size(), 1u);
  EXPECT_EQ(queues[0].domain, "example.com");
  EXPECT_EQ(queues[0].binding, "default");
  EXPECT_EQ(queues[0].active, 1u);
  EXPECT_TRUE(queues[0].suspended);
}

TEST(Admin, QueueListingFiltersSortsAndLimits) {
  AdminHarness a(
      "Domain \"one.test\" { suspend_delivery = true }\nDomain \"two.test\" { suspend_delivery = true }\n"
      "Binding \"b1\" { }\n");
  a.enqueue("default", "one.test");
  a.enqueue("b1", "two.test");
  a.enqueue("b1", "two.test");
  auto all = a.ask<std::vector<QueueLine>>([&](auto done) { a.admin.queues({}, done); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].domain, "two.test") << "largest first";
  EXPECT_EQ(all[0].active, 2u);
  QueueQuery one_domain;
  one_domain.domains = {"ONE.test"};
  auto only = a.ask<std::vector<QueueLine>>([&](auto done) { a.admin.queues(one_domain, done); });
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].domain, "one.test");
  QueueQuery first;
  first.limit = 1;
  auto limited = a.ask<std::vector<QueueLine>>([&](auto done) { a.admin.queues(first, done); });
  ASSERT_EQ(limited.size(), 1u);
  EXPECT_EQ(limited[0].binding, "b1");

  auto totals = a.ask<std::vector<BindingTotals>>([&](auto done) { a.admin.binding_summary(std::nullopt, done); });
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].binding, "b1");
  EXPECT_EQ(totals[0].active, 2u);
  EXPECT_EQ(totals[1].binding, "default");
  EXPECT_EQ(totals[1].received, 1u);
}

TEST(Admin, QueueLinesCarryARouteVerdictHold) {
  AdminHarness a("retry_interval = 120\n");
  a.h.agent.auto_run = false;
  a.h.inject(kSender, {"bob@example.com"});
  ASSERT_FALSE(a.h.agent.ready.empty());
  auto before = a.ask<std::vector<QueueLine>>([&](auto done) { a.admin.queues({}, done); });
  ASSERT_EQ(before.size(), 1u);
  EXPECT_FALSE(before[0].held_until.has_value());
  queue::Hold hold;
  hold.reason = "421 4.7.0 go away";
  a.h.agent.ready[0]->hold(hold);
  a.h.drain();
  auto held = a.ask<std::vector<QueueLine>>([&](auto done) { a.admin.queues({}, done); });
  ASSERT_EQ(held.size(), 1u);
  ASSERT_TRUE(held[0].held_until.has_value());
  EXPECT_EQ(*held[0].held_until, spool::unix_seconds(spool::to_spool_time(a.h.clock.wall_now())) + 120);
  EXPECT_EQ(held[0].held_reason, "421 4.7.0 go away");
}

TEST(Admin, FlushRequeuesDelayedMessagesOfTheSelectedDomain) {
  AdminHarness a;
  a.h.agent.script = queue::testing::always(FakeAgent::tempfail());
  a.h.inject(kSender, {"a@example.com"});
  a.h.inject(kSender, {"c@other.example"});
  EXPECT_EQ(a.admin.summary().delayed, 2u);
  a.h.agent.script = nullptr;
  EXPECT_EQ(a.ask<std::size_t>([&](auto done) { a.admin.flush({.binding = "b1", .domain = "example.com"}, done); }), 0u)
      << "no such binding";
  EXPECT_EQ(a.ask<std::size_t>([&](auto done) { a.admin.flush({.binding = {}, .domain = "Example.COM"}, done); }), 1u);
  EXPECT_EQ(a.h.agent.attempts_for("a@example.com"), 2u);
  EXPECT_EQ(a.h.agent.attempts_for("c@other.example"), 1u);
  EXPECT_EQ(a.ask<std::size_t>([&](auto done) { a.admin.flush({}, done); }), 1u) << "every domain";
  EXPECT_EQ(a.admin.summary().total(), 0u);
}

TEST(Admin, FailDomainFailsTheSuspendedQueuesMessages) {
  AdminHarness a("Domain \"example.com\" { suspend_delivery = true }\n");
  auto first = a.h.id_of(a.h.inject(kSender, {"a@example.com"}));
  a.h.inject(kSender, {"b@example.com"});
  EXPECT_EQ(a.ask<std::size_t>([&](auto done) { a.admin.fail_domain("b1", "example.com", true, done); }), 0u);
  EXPECT_EQ(a.ask<std::size_t>([&](auto done) { a.admin.fail_domain(std::nullopt, "EXAMPLE.com", true, done); }), 2u);
  EXPECT_EQ(a.admin.summary().total(), 0u);
  EXPECT_EQ(a.h.log.main_records("P").size(), 2u);
  EXPECT_TRUE(a.h.bounce_ids().empty()) << "quiet";
  EXPECT_FALSE(a.h.store.load_message(first).has_value());
}

TEST(Admin, RetryAndFailOneMessage) {
  AdminHarness a;
  a.h.agent.script = queue::testing::always(FakeAgent::tempfail());
  auto id = a.h.id_of(a.h.inject(kSender, {"a@example.com"}));
  auto details = a.ask<std::vector<MessageInfo>>([&](auto done) { a.admin.message_details(id, done); });
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0].id, id.to_string());
  EXPECT_EQ(details[0].state, EntryState::kDelayed);
  EXPECT_EQ(details[0].retries, 1u);
  EXPECT_GT(details[0].next_attempt, details[0].created);

  EXPECT_EQ(a.ask<MessageAction>([&](auto done) { a.admin.retry_message(id, done); }), MessageAction::kDone);
  EXPECT_EQ(a.h.agent.attempts_for("a@example.com"), 2u);
  EXPECT_EQ(a.ask<MessageAction>([&](auto done) { a.admin.fail_message(id, false, done); }), MessageAction::kDone);
  EXPECT_EQ(a.h.bounce_ids().size(), 1u);
  EXPECT_FALSE(a.h.store.load_message(id).has_value());
  EXPECT_EQ(a.ask<MessageAction>([&](auto done) { a.admin.fail_message(id, true, done); }), MessageAction::kNotFound);
  EXPECT_EQ(a.ask<MessageAction>([&](auto done) { a.admin.retry_message(id, done); }), MessageAction::kNotFound);
  EXPECT_TRUE(a.ask<std::vector<MessageInfo>>([&](auto done) { a.admin.message_details(id, done); }).empty());
}

TEST(Admin, ShowQueueOfEveryBindingJoinsThemInKeyOrder) {
  AdminHarness a("Domain \"example.com\" { suspend_delivery = true }\nBinding \"alpha\" { }\nBinding \"zeta\" { }\n");
  a.enqueue("zeta", "example.com");
  a.enqueue("alpha", "example.com");
  a.enqueue("default", "example.com");
  auto all = a.ask<std::vector<MessageInfo>>(
      [&](auto done) { a.admin.show_queue({.binding = std::nullopt, .domain = "Example.com"}, done); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].binding, "alpha");
  EXPECT_EQ(all[1].binding, "default");
  EXPECT_EQ(all[2].binding, "zeta");
  auto one = a.ask<std::vector<MessageInfo>>(
      [&](auto done) { a.admin.show_queue({.binding = "zeta", .domain = "example.com"}, done); });
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].recipients, std::vector<std::string>{"rcpt@example.com"});
}

TEST(Admin, DomainReportMergesQueueLinesDefaultFirst) {
  AdminHarness a("Domain \"example.com\" { suspend_delivery = true }\nBinding \"alpha\" { }\nBinding \"zeta\" { }\n");
  a.connections->record_bindings = {"default", "alpha"};
  a.enqueue("zeta", "example.com");
  a.enqueue("alpha", "example.com");
  a.enqueue("alpha", "example.com");
  a.enqueue("default", "example.com");
  a.enqueue("default", "other.test");
  auto d = a.ask<delivery::DomainDescription>([&](auto done) { a.admin.domain("Example.COM", done); });
  EXPECT_EQ(d.domain, "example.com");
  ASSERT_EQ(d.records.size(), 2u);
  ASSERT_EQ(d.queues.size(), 3u);
  EXPECT_EQ(d.queues[0].binding, "default");
  EXPECT_EQ(d.queues[0].active, 1u);
  EXPECT_EQ(d.queues[1].binding, "alpha");
  EXPECT_EQ(d.queues[1].active, 2u);
  EXPECT_EQ(d.queues[2].binding, "zeta");
}

TEST(Admin, DomainReportAndRefreshWithoutAConnectionManager) {
  SchedulerHarness h("Domain \"example.com\" { suspend_delivery = true }\n");
  Admin admin(AdminDeps{.scheduler = *h.scheduler, .connections = nullptr, .inbound_concurrency = {}, .daemon = {}});
  h.inject(kSender, {"a@example.com"});
  std::optional<delivery::DomainDescription> d;
  admin.domain("EXAMPLE.com", [&](delivery::DomainDescription x) { d = std::move(x); });
  h.drain();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->domain, "example.com");
  EXPECT_TRUE(d->records.empty());
  ASSERT_EQ(d->queues.size(), 1u);
  EXPECT_EQ(d->queues[0].active, 1u);
  std::optional<std::size_t> builds;
  admin.refresh_domain("example.com", [&](std::size_t n) { builds = n; });
  EXPECT_EQ(builds, std::size_t{0});
  EXPECT_EQ(admin.summary().outbound_concurrency, 0u);
  EXPECT_EQ(admin.summary().inbound_concurrency, 0u);
}

TEST(Admin, RefreshGoesToTheConnectionManager) {
  AdminHarness a;
  EXPECT_EQ(a.ask<std::size_t>([&](auto done) { a.admin.refresh_domain("all", done); }), 3u);
  EXPECT_EQ(a.connections->refreshed, std::vector<std::string>{"all"});
}

TEST(Admin, ReloadErrorsArePassedThroughAsAList) {
  std::vector<std::string> paths;
  DaemonActions daemon;
  daemon.reload = [&](const std::string& path) {
    paths.push_back(path);
    return ReloadOutcome{false, {"new.conf:3:1: error: unknown option 'x'", "new.conf:9:5: error: bad value"}};
  };
  AdminHarness a("", std::move(daemon));
  ReloadOutcome r = a.admin.reload("/etc/new.conf");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.errors, (std::vector<std::string>{"new.conf:3:1: error: unknown option 'x'",
                                                "new.conf:9:5: error: bad value"}));
  EXPECT_EQ(paths, std::vector<std::string>{"/etc/new.conf"});

  AdminHarness none;
  ReloadOutcome missing = none.admin.reload();
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.errors.size(), 1u);
  EXPECT_FALSE(none.admin.reopen_logs().has_value());
}

TEST(Admin, EvalReadsTheLiveConfigurationAndReportsBadOptions) {
  DaemonActions daemon;
  config::ConfigPtr cfg = queue::testing::config_from("Domain \"example.com\" { max_outbound_connections = 7 }\n");
  daemon.config = [cfg] { return cfg; };
  AdminHarness a("", std::move(daemon));
  auto r = a.admin.eval({"domain", "example.com"}, "max_outbound_connections");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->value.as_int(), 7);
  EXPECT_EQ(r->option, "max_outbound_connections");
  EXPECT_FALSE(a.admin.eval({}, "no_such_option").has_value());
}

TEST(Admin, DaemonActionsAreCalled) {
  int shutdowns = 0, reopens = 0;
  DaemonActions daemon;
  daemon.shutdown = [&] { ++shutdowns; };
  daemon.reopen_logs = [&]() -> Result<void> {
    ++reopens;
    return fail("mainlog: permission denied");
  };
  daemon.version = "impulsed (Impulse) 9.9";
  AdminHarness a("", std::move(daemon));
  a.admin.shutdown();
  EXPECT_EQ(shutdowns, 1);
  auto res = a.admin.reopen_logs();
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().message, "mainlog: permission denied");
  EXPECT_EQ(reopens, 1);
  EXPECT_EQ(a.admin.version(), "impulsed (Impulse) 9.9");
  EXPECT_GT(a.admin.pid(), 0);
}

}  // namespace
}  // namespace impulse::admin
