// Binding assignment by header, end to end: a message whose header names
// binding b1 leaves from b1's bind_address without the header. The header
// parsing and the policy's choices are tested with them, in
// tests/unit/routing/test_binding_header.cpp.
#include <gtest/gtest.h>

#include "routing/binding_header_policy.hpp"
#include "test_cm_support.hpp"

namespace impulse::delivery::testing {
namespace {

// End to end, with the injector hook emulated (the header is stripped and
// the choice made before the message is handed to the injector, as the
// proposed queue/injector.cpp change does).
TEST(BindingHeaderDelivery, HeaderRoutesTheMessageThroughTheBindingAndNeverReachesThePeer) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.61");
  h.config = queue::testing::config_from("Binding \"b1\" { Bind_Address = \"127.0.0.2\" }\n"
                                         "Domain \"example.com\" { Routes = ( " + route(mx, 10) + " ) }");
  routing::BindingHeaderPolicy header_policy([&] { return h.config; }, {});
  std::string data = "Subject: hi\r\nX-Impulse-Binding: b1\r\n\r\nHello\r\n";
  auto choice = header_policy.choose_from_data(data, "m");
  ASSERT_TRUE(choice);
  h.policy.choice = *choice;
  h.inject("sender@origin.test", {"rcpt@example.com"}, data);
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1; }));
  ASSERT_EQ(mx.peers().size(), 1u);
  EXPECT_EQ(mx.peers()[0], "127.0.0.2");
  ASSERT_EQ(mx.messages().size(), 1u);
  EXPECT_EQ(mx.messages()[0].find("X-Impulse-Binding"), std::string::npos) << mx.messages()[0];
  EXPECT_NE(mx.messages()[0].find("Subject: hi"), std::string::npos);
  EXPECT_EQ(h.log.main_records("D")[0][8], "b1");
}

}  // namespace
}  // namespace impulse::delivery::testing
