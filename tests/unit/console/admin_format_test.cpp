// The console's text of the admin layer's typed results (console/
// admin_format.hpp): Momentum's shapes for summary, mailq, binding summary,
// showqueue, message details, config eval and a refused reload.
#include <gtest/gtest.h>

#include "console/admin_format.hpp"

namespace impulse::console {
namespace {

admin::MessageInfo message(admin::EntryState state) {
  admin::MessageInfo m;
  m.id = "0000ABCD-01-000000000001";
  m.binding = "b1";
  m.domain = "example.com";
  m.state = state;
  m.created = 1700000000;
  m.next_attempt = state == admin::EntryState::kDelayed ? 1700000600 : 0;
  m.retries = 2;
  m.size = 1234;
  m.sender = "alice@sender.example";
  m.recipients = {"a@example.com", "b@example.com"};
  return m;
}

TEST(AdminFormat, SummaryLabelsInMomentumsOrder) {
  admin::Summary s;
  s.outbound_concurrency = 3;
  s.inbound_concurrency = 1;
  s.active = 5;
  s.in_flight = 2;
  s.delayed = 7;
  s.delivered = 100;
  s.failed = 4;
  s.transient_failures = 9;
  s.received = 120;
  s.uptime = std::chrono::seconds(3600);
  EXPECT_EQ(format_summary(s),
            "\tOutbound Concurrency: 3\n"
            "\tInbound Concurrency: 1\n"
            "\tActive Queue Size: 5\n"
            "\tDelayed Queue Size: 7\n"
            "\tTotal Queue Size: 12\n"
            "\tSuccessfully Delivered Messages: 100\n"
            "\tFailed Messages: 4\n"
            "\tTransient Failures: 9\n"
            "\tReceived Messages: 120\n"
            "\tUptime: 3600\n");
}

TEST(AdminFormat, MailqColumnsAndDefaultGroup) {
  admin::QueueLine q;
  q.binding = "b1";
  q.domain = "example.com";
  q.active = 2;
  q.delayed = 11;
  admin::QueueLine g = q;
  g.binding_group = "grp";
  g.domain = "other.test";
  EXPECT_EQ(format_mailq({}),
            "Group/Binding                  Domain                                         AQ       DQ\n");
  EXPECT_EQ(format_mailq({q, g}),
            "Group/Binding                  Domain                                         AQ       DQ\n"
            "default/b1                     example.com                                     2       11\n"
            "grp/b1                         other.test                                      2       11\n");
}

TEST(AdminFormat, MailqListsHeldQueuesAfterTheTableOnlyWhenThereAreAny) {
  admin::QueueLine q;
  q.binding = "default";
  q.domain = "held.test";
  q.active = 3;
  admin::QueueLine free = q;
  free.domain = "free.test";
  q.held_until = 1700000120;
  q.held_reason = "421 4.7.0 try later";
  EXPECT_EQ(format_mailq({free}).find("Held:"), std::string::npos);
  EXPECT_EQ(format_mailq({free, q}),
            "Group/Binding                  Domain                                         AQ       DQ\n"
            "default/default                free.test                                       3        0\n"
            "default/default                held.test                                       3        0\n"
            "Held: default/default held.test until 1700000120: 421 4.7.0 try later\n");
}

TEST(AdminFormat, BindingSummaryBlocks) {
  admin::BindingTotals b;
  b.binding = "default";
  b.active = 1;
  b.delayed = 2;
  b.delivered = 3;
  b.failed = 4;
  b.received = 10;
  EXPECT_EQ(format_binding_summary({b}),
            "Binding: default\n"
            "\tActive Queue Size: 1\n"
            "\tDelayed Queue Size: 2\n"
            "\tTotal Queue Size: 3\n"
            "\tSuccessfully Delivered Messages: 3\n"
            "\tFailed Messages: 4\n"
            "\tReceived Messages: 10\n");
}

TEST(AdminFormat, ShowqueueTwoLinesPerMessage) {
  EXPECT_EQ(format_showqueue({message(admin::EntryState::kDelayed)}),
            "[delayed/b1] 0000ABCD-01-000000000001 Created: 1700000000\n"
            "From: <alice@sender.example> To: <a@example.com>, <b@example.com>\n");
  EXPECT_EQ(format_showqueue({}), "");
}

TEST(AdminFormat, MessageDetailsBlock) {
  EXPECT_EQ(format_message_details({message(admin::EntryState::kDelayed)}),
            "Message: 0000ABCD-01-000000000001\n"
            "Queue: b1/example.com (delayed)\n"
            "Created: 1700000000\n"
            "Next Attempt: 1700000600\n"
            "Retries: 2\n"
            "Sender: <alice@sender.example>\n"
            "Recipient: <a@example.com>\n"
            "Recipient: <b@example.com>\n"
            "Size: 1234\n");
  EXPECT_NE(format_message_details({message(admin::EntryState::kInFlight)}).find("(in flight)\n"), std::string::npos);
}

TEST(AdminFormat, MessageDetailsShowTheSendingNodesIdOfAnEcstreamMessage) {
  admin::MessageInfo m = message(admin::EntryState::kActive);
  m.origin_id = "6540A1B2-01-0000002A";
  const std::string text = format_message_details({m});
  EXPECT_TRUE(text.ends_with("Size: 1234\nOrigin Id: 6540A1B2-01-0000002A\n")) << text;
}

TEST(AdminFormat, EvalValuesOfEveryType) {
  auto eval = [](config::OptionData v) {
    return format_eval(admin::EvalResult{"opt", config::OptionValue{std::move(v), {}}, "default"});
  };
  EXPECT_EQ(eval(true), "opt = true\n");
  EXPECT_EQ(eval(std::int64_t{7}), "opt = 7\n");
  EXPECT_EQ(eval(std::string("text")), "opt = text\n");
  EXPECT_EQ(eval(std::vector<std::string>{"a", "b"}), "opt = ( \"a\" \"b\" )\n");
  EXPECT_EQ(eval(config::RateSpec{5, 1}), "opt = 5\n");
  EXPECT_EQ(eval(config::RateSpec{5, 60}), "opt = 5/60\n");
  auto dict = std::make_shared<config::DictValue>();
  dict->entries = {{"k", "v"}};
  EXPECT_EQ(eval(std::shared_ptr<const config::DictValue>(dict)), "opt = [ k = \"v\" ]\n");
}

TEST(AdminFormat, RefusedReloadListsEveryErrorThenTheRefusal) {
  admin::ReloadOutcome r{false, {"a.conf:1:2: error: one", "a.conf:3:4: error: two"}};
  EXPECT_EQ(format_reload_refused(r),
            "a.conf:1:2: error: one\n"
            "a.conf:3:4: error: two\n"
            "Reload refused: the running configuration is unchanged.\n");
}

}  // namespace
}  // namespace impulse::console
