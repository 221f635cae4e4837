// Unit tests for the console wire framing and command dispatch.
#include <gtest/gtest.h>

#include "console/commands.hpp"
#include "console/wire.hpp"

using namespace impulse::console;

TEST(ConsoleWire, RoundTripsRepliesSplitAnywhere) {
  std::string bytes = encode_reply(ok("Active Queue Size: 3\n")) + encode_reply(failed("bad\n"));
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    ReplyDecoder d;
    d.feed(bytes.substr(0, cut));
    std::vector<Reply> got;
    while (auto r = d.next()) got.push_back(*r);
    d.feed(bytes.substr(cut));
    while (auto r = d.next()) got.push_back(*r);
    ASSERT_EQ(got.size(), 2u) << "cut at " << cut;
    EXPECT_TRUE(got[0].ok);
    EXPECT_EQ(got[0].text, "Active Queue Size: 3\n");
    EXPECT_FALSE(got[1].ok);
    EXPECT_EQ(got[1].text, "bad\n");
  }
}

TEST(ConsoleWire, MalformedHeaderFails) {
  ReplyDecoder d;
  d.feed("HTTP/1.1 200 OK\n");
  EXPECT_FALSE(d.next().has_value());
  EXPECT_TRUE(d.failed());
}

TEST(ConsoleCommands, LongestPhraseWinsAndArgsFollow) {
  CommandRegistry reg;
  std::string seen;
  reg.add("domain", "domain NAME", [&](const Words& a, Respond r) { seen = "domain:" + a.at(0); r(ok("")); });
  reg.add("refresh domain", "refresh domain NAME|all", [&](const Words& a, Respond r) { seen = "refresh:" + a.at(0); r(ok("")); });
  Reply last;
  reg.dispatch("REFRESH Domain example.com", [&](Reply r) { last = r; });
  EXPECT_EQ(seen, "refresh:example.com");
  reg.dispatch("domain x.org", [&](Reply r) { last = r; });
  EXPECT_EQ(seen, "domain:x.org");
}

TEST(ConsoleCommands, UnknownCommandIsAFailedOneLineReply) {
  CommandRegistry reg;
  Reply last;
  reg.dispatch("frobnicate now", [&](Reply r) { last = r; });
  EXPECT_FALSE(last.ok);
  EXPECT_EQ(last.text, "Unknown command 'frobnicate'. Type 'help' for a list of commands.\n");
}

TEST(ConsoleCommands, SplitWordsHonoursQuotes) {
  EXPECT_EQ(split_words("  fail domain  \"a b\" c "), (Words{"fail", "domain", "a b", "c"}));
}
