// Binding assignment by header (routing/binding_header.hpp,
// routing/binding_header_policy.hpp): finding and stripping X-Impulse-Binding
// / X-Impulse-Binding-Group, and the binding each names (group round-robin
// skipping suspended members, unknown names -> "default" plus a paniclog
// line). The end-to-end delivery through the chosen binding is in
// tests/unit/delivery/test_cm_binding.cpp.
#include <gtest/gtest.h>

#include <set>

#include "config/config.hpp"
#include "routing/binding_header.hpp"
#include "routing/binding_header_policy.hpp"

namespace impulse::routing {
namespace {

config::ConfigPtr config_from(const std::string& text) {
  auto c = config::load_config_text(text, "test.conf");
  if (!c) {
    for (const auto& d : c.error()) ADD_FAILURE() << d.message;
    return nullptr;
  }
  return *c;
}

TEST(BindingHeader, StripsBothHeadersAndReturnsTheirFirstValues) {
  std::string data =
      "Subject: hi\r\n"
      "x-impulse-binding:  b1 \r\n"
      "To: <a@example.com>\r\n"
      "X-Impulse-Binding-Group: g1\r\n"
      "X-Impulse-Binding: b2\r\n"
      "\r\n"
      "X-Impulse-Binding: in the body stays\r\n";
  const BindingHeaders h = strip_binding_headers(data);
  ASSERT_TRUE(h.binding);
  EXPECT_EQ(*h.binding, "b1");
  ASSERT_TRUE(h.group);
  EXPECT_EQ(*h.group, "g1");
  EXPECT_EQ(data,
            "Subject: hi\r\n"
            "To: <a@example.com>\r\n"
            "\r\n"
            "X-Impulse-Binding: in the body stays\r\n");
}

TEST(BindingHeader, FoldedValueIsUnfoldedAndItsContinuationRemoved) {
  std::string data = "X-Impulse-Binding:\r\n b1\r\nSubject: x\r\n\r\nbody\r\n";
  const BindingHeaders h = strip_binding_headers(data);
  ASSERT_TRUE(h.binding);
  EXPECT_EQ(*h.binding, "b1");
  EXPECT_EQ(data, "Subject: x\r\n\r\nbody\r\n");
}

TEST(BindingHeader, DataWithoutTheHeadersIsUntouched) {
  std::string data = "Subject: x\r\nX-Impulse-Bindings: no\r\n\r\nX-Impulse-Binding: b1\r\n";
  const std::string before = data;
  EXPECT_FALSE(strip_binding_headers(data).any());
  EXPECT_EQ(data, before);
  std::string empty;
  EXPECT_FALSE(strip_binding_headers(empty).any());
}

class BindingPolicyTest : public ::testing::Test {
 protected:
  void load(const std::string& text) { config = config_from(text); }
  BindingHeaderPolicy policy{[this] { return config; }, [this](std::string_view t) { problems.emplace_back(t); }};
  config::ConfigPtr config;
  std::vector<std::string> problems;
};

TEST_F(BindingPolicyTest, BindingHeaderNamesTheBindingAndItsGroup) {
  load("Binding_Group \"g1\" { Binding \"b1\" { } }\nBinding \"solo\" { }");
  std::string data = "X-Impulse-Binding: b1\r\n\r\nx\r\n";
  auto choice = policy.choose_from_data(data, "msg1");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->binding, "b1");
  EXPECT_EQ(choice->binding_group, "g1");
  EXPECT_EQ(data, "\r\nx\r\n");

  std::string solo = "X-Impulse-Binding: solo\r\n\r\nx\r\n";
  choice = policy.choose_from_data(solo, "msg2");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->binding, "solo");
  EXPECT_EQ(choice->binding_group, "");
  EXPECT_TRUE(problems.empty());
}

TEST_F(BindingPolicyTest, NoHeaderMeansNoChoice) {
  load("Binding \"b1\" { }");
  std::string data = "Subject: x\r\n\r\nx\r\n";
  EXPECT_FALSE(policy.choose_from_data(data, "msg"));
  EXPECT_EQ(policy.choose(spool::Message{}).binding, "default");
}

TEST_F(BindingPolicyTest, UnknownBindingGoesToDefaultWithAPaniclogLine) {
  load("Binding \"b1\" { }");
  std::string data = "X-Impulse-Binding: nope\r\n\r\nx\r\n";
  auto choice = policy.choose_from_data(data, "msg42");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->binding, "default");
  EXPECT_EQ(data, "\r\nx\r\n") << "stripped even when unknown";
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("msg42"), std::string::npos);
  EXPECT_NE(problems[0].find("nope"), std::string::npos);

  std::string group = "X-Impulse-Binding-Group: nogroup\r\n\r\nx\r\n";
  choice = policy.choose_from_data(group, "msg43");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->binding, "default");
  EXPECT_EQ(problems.size(), 2u);
}

TEST_F(BindingPolicyTest, GroupHeaderRoundRobinsOverTheMembers) {
  load("Binding_Group \"g1\" { Binding \"a\" { } Binding \"b\" { } Binding \"c\" { } }");
  std::vector<std::string> picked;
  for (int i = 0; i < 6; ++i) {
    std::string data = "X-Impulse-Binding-Group: g1\r\n\r\nx\r\n";
    auto choice = policy.choose_from_data(data, "m");
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->binding_group, "g1");
    picked.push_back(choice->binding);
  }
  EXPECT_EQ(picked, (std::vector<std::string>{"a", "b", "c", "a", "b", "c"}));
}

TEST_F(BindingPolicyTest, GroupHeaderSkipsSuspendedMembersUnlessAllAreSuspended) {
  load("Binding_Group \"g1\" { Binding \"a\" { Suspend_Delivery = true } Binding \"b\" { } }");
  for (int i = 0; i < 4; ++i) {
    std::string data = "X-Impulse-Binding-Group: g1\r\n\r\nx\r\n";
    EXPECT_EQ(policy.choose_from_data(data, "m")->binding, "b");
  }
  load("Binding_Group \"g1\" { Binding \"a\" { Suspend_Delivery = true } Binding \"b\" { Suspend_Delivery = true } }");
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    std::string data = "X-Impulse-Binding-Group: g1\r\n\r\nx\r\n";
    seen.insert(policy.choose_from_data(data, "m")->binding);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b"}));
}

TEST_F(BindingPolicyTest, BindingHeaderWinsOverGroupHeader) {
  load("Binding_Group \"g1\" { Binding \"a\" { } }\nBinding \"solo\" { }");
  std::string data = "X-Impulse-Binding-Group: g1\r\nX-Impulse-Binding: solo\r\n\r\nx\r\n";
  auto choice = policy.choose_from_data(data, "m");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->binding, "solo");
  EXPECT_EQ(data, "\r\nx\r\n");
}

}  // namespace
}  // namespace impulse::routing
