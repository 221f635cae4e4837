// The console login (console/login.hpp): the login line both ends use, and
// one connection's rules: refused before login, three failures answered at
// once, the fourth on held back a second, the tenth closing; a listener
// without login says so.
#include "console/login.hpp"

#include <gtest/gtest.h>

namespace impulse::console {
namespace {

TEST(ConsoleLogin, LineRoundTripsAnyPassword) {
  for (std::string pw : {"wonderland", "with space and \"quotes\"", "", "\xc3\xa9t\xc3\xa9\t:x"}) {
    const std::string line = format_login_line("alice", pw);
    EXPECT_TRUE(is_login_line(line)) << line;
    auto parsed = parse_login_line(line);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->user, "alice");
    EXPECT_EQ(parsed->password, pw);
  }
  EXPECT_EQ(format_login_line("bob", "builder"), "login bob YnVpbGRlcg==");
}

TEST(ConsoleLogin, MalformedLinesAreRefusedWithAReason) {
  EXPECT_TRUE(is_login_line("  LOGIN x"));
  EXPECT_FALSE(is_login_line("loginx a b"));
  EXPECT_FALSE(is_login_line("summary"));
  EXPECT_EQ(parse_login_line("login").error(), "Usage: login USER BASE64-PASSWORD\n");
  EXPECT_EQ(parse_login_line("login a b c").error(), "Usage: login USER BASE64-PASSWORD\n");
  EXPECT_EQ(parse_login_line("login alice !!!").error(), "Login failed: the password is not base64.\n");
  EXPECT_EQ(parse_login_line("login alice AGE=").error(), "Login failed: NUL in the password.\n");  // "\0a"
}

TEST(ConsoleLogin, CommandsWaitForASuccessfulLogin) {
  LoginGate gate(true);
  EXPECT_FALSE(gate.admitted());
  EXPECT_TRUE(gate.checks_password());
  EXPECT_FALSE(LoginGate::refusal().ok);
  EXPECT_EQ(LoginGate::refusal().text.rfind("Login required", 0), 0u);
  auto v = gate.answer({"alice", "x"}, true);
  EXPECT_TRUE(v.reply.ok);
  EXPECT_EQ(v.reply.text, "Logged in as alice.\n");
  EXPECT_EQ(v.delay.count(), 0);
  EXPECT_FALSE(v.close);
  EXPECT_TRUE(gate.admitted());
  EXPECT_FALSE(gate.checks_password());
  auto again = gate.answer({"bob", "y"}, false);
  EXPECT_FALSE(again.reply.ok);
  EXPECT_EQ(again.reply.text, "Already logged in as alice.\n");
  EXPECT_EQ(gate.user(), "alice");
}

TEST(ConsoleLogin, FailuresAreDelayedFromTheFourthAndTheTenthCloses) {
  LoginGate gate(true);
  for (std::size_t i = 1; i <= kLoginFailuresBeforeClose; ++i) {
    auto v = gate.answer({"alice", "wrong"}, false);
    EXPECT_FALSE(v.reply.ok) << i;
    EXPECT_EQ(v.reply.text.rfind("Login failed: unknown user or wrong password.\n", 0), 0u) << i;
    EXPECT_EQ(v.delay, i <= 3 ? std::chrono::milliseconds(0) : kLoginFailureDelay) << i;
    EXPECT_EQ(v.close, i == 10) << i;
    EXPECT_FALSE(gate.admitted());
  }
}

TEST(ConsoleLogin, ASuccessResetsTheFailureCount) {
  LoginGate gate(true);
  for (int i = 0; i < 3; ++i) gate.answer({"alice", "wrong"}, false);
  EXPECT_TRUE(gate.answer({"alice", "right"}, true).reply.ok);
}

TEST(ConsoleLogin, ListenerWithoutLoginAdmitsAndSaysSo) {
  LoginGate gate(false);
  EXPECT_TRUE(gate.admitted());
  EXPECT_FALSE(gate.checks_password());
  auto v = gate.answer({"alice", "x"}, false);
  EXPECT_TRUE(v.reply.ok);
  EXPECT_EQ(v.reply.text, "This console does not require a login.\n");
}

}  // namespace
}  // namespace impulse::console
