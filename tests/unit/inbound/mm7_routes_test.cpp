// The MM7 VASP endpoint (inbound/http/mm7_routes.hpp; SPEC §14 "Delivery
// reports"): the route's access, the listener it answers on, Basic
// credentials, the DeliveryReportRsp and the mm7_delivery_report event with
// the message id kept by MM7 deliveries; refused paths.
#include "inbound/http/mm7_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <mutex>

#include "support/temp_dir.hpp"

namespace impulse::inbound::http {
namespace {

struct Recorded {
  log::EventType type;
  std::string message_id, remote_id, recipient, mm7_status;
};

class RecordingSink final : public log::EventSink {
 public:
  void emit(const log::Event& e) override {
    std::lock_guard lock(mutex_);
    events.push_back({e.type, std::string(e.message_id), std::string(e.remote_id), std::string(e.recipient),
                      std::string(e.mm7_status)});
  }
  std::mutex mutex_;
  std::vector<Recorded> events;
};

using TempDir = impulse::testing::TempDir;

const char* kNs = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";

std::string report(std::string_view message_id, std::string_view status) {
  return std::string("<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Header>"
                     "<mm7:TransactionID xmlns:mm7=\"") + kNs + "\" env:mustUnderstand=\"1\">dr-5</mm7:TransactionID>"
         "</env:Header><env:Body><DeliveryReportReq xmlns=\"" + kNs + "\"><MM7Version>6.8.0</MM7Version><MessageID>" +
         std::string(message_id) + "</MessageID><Recipient><Number>+15551234567</Number></Recipient><MMStatus>" +
         std::string(status) + "</MMStatus></DeliveryReportReq></env:Body></env:Envelope>";
}

class Mm7Routes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = delivery::mm7::Mm7MessageIds::open({.path = dir_.sub("mm7_message_ids"), .capacity = 100,
                                                      .sweep_batch = 100, .sweep_interval = {}, .max_batch_ops = 16,
                                                      .problem = {}, .now = {}});
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    ids_ = std::move(*opened);
    std::promise<Result<void>> kept;
    ids_->remember("mmsc-1", {"6553F1A0-03-0000002A", "15551234567@mm7.test"},
                   std::chrono::system_clock::now() + std::chrono::seconds(600),
                   [&kept](Result<void> r) { kept.set_value(std::move(r)); });
    ASSERT_TRUE(kept.get_future().get().has_value());
    auto added = add_mm7_routes(routes_, {.endpoints = {{"127.0.0.1:8081", "/mm7/dr", ""},
                                                        {"127.0.0.1:8082", "/mm7/dr", "mmsc:pw"}},
                                          .message_ids = ids_,
                                          .events = &sink_,
                                          .now = {}});
    ASSERT_TRUE(added.has_value()) << added.error();
  }

  Response call(const std::string& listener, std::string body, std::string authorization = "") {
    auto hit = routes_.lookup(beast_http::verb::post, "/mm7/dr");
    EXPECT_TRUE(std::holds_alternative<RouteMatch>(hit));
    const Route* route = std::get<RouteMatch>(hit).route;
    EXPECT_EQ(route->access, Access::kRelayHostsOnly);
    Request req{beast_http::verb::post, "/mm7/dr", 11};
    req.set(beast_http::field::content_type, "text/xml; charset=utf-8");
    if (!authorization.empty()) req.set(beast_http::field::authorization, authorization);
    req.body() = std::move(body);
    req.prepare_payload();
    RequestContext ctx;
    ctx.listener_address = listener;
    boost::asio::io_context io;
    std::optional<Response> out;
    boost::asio::co_spawn(io, route->handler(req, ctx), [&](std::exception_ptr e, Response r) {
      if (e) std::rethrow_exception(e);
      out = std::move(r);
    });
    io.run();
    return std::move(*out);
  }

  TempDir dir_;
  Routes routes_;
  RecordingSink sink_;
  std::shared_ptr<delivery::mm7::Mm7MessageIds> ids_;
};

TEST_F(Mm7Routes, ReportIsAnsweredAndRecordedWithTheKeptMessageId) {
  auto res = call("127.0.0.1:8081", report("mmsc-1", "Retrieved"));
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res[beast_http::field::content_type], "text/xml; charset=utf-8");
  EXPECT_NE(res.body().find("<StatusCode>1000</StatusCode>"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find(">dr-5</mm7:TransactionID>"), std::string::npos) << res.body();
  ASSERT_EQ(sink_.events.size(), 1u);
  const auto& e = sink_.events[0];
  EXPECT_EQ(e.type, log::EventType::kMm7DeliveryReport);
  EXPECT_EQ(e.message_id, "6553F1A0-03-0000002A");
  EXPECT_EQ(e.remote_id, "mmsc-1");
  EXPECT_EQ(e.recipient, "15551234567@mm7.test");
  EXPECT_EQ(e.mm7_status, "Retrieved");
}

TEST_F(Mm7Routes, UnknownMessageIdIsRecordedWithTheReportsRecipient) {
  auto res = call("127.0.0.1:8081", report("mmsc-9", "Expired"));
  EXPECT_EQ(res.result(), beast_http::status::ok);
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].message_id, "");
  EXPECT_EQ(sink_.events[0].recipient, "+15551234567");
}

TEST_F(Mm7Routes, OnlyTheListenersThatSetThePathAnswer) {
  auto res = call("127.0.0.1:9999", report("mmsc-1", "Retrieved"));
  EXPECT_EQ(res.result(), beast_http::status::not_found);
  EXPECT_TRUE(sink_.events.empty());
}

TEST_F(Mm7Routes, BasicCredentialsAreRequiredWhereConfigured) {
  auto none = call("127.0.0.1:8082", report("mmsc-1", "Retrieved"));
  EXPECT_EQ(none.result(), beast_http::status::unauthorized);
  EXPECT_EQ(none[beast_http::field::www_authenticate], "Basic realm=\"MM7\"");
  auto wrong = call("127.0.0.1:8082", report("mmsc-1", "Retrieved"), "Basic bW1zYzp4");  // mmsc:x
  EXPECT_EQ(wrong.result(), beast_http::status::unauthorized);
  EXPECT_TRUE(sink_.events.empty());
  auto right = call("127.0.0.1:8082", report("mmsc-1", "Retrieved"), "Basic bW1zYzpwdw==");  // mmsc:pw
  EXPECT_EQ(right.result(), beast_http::status::ok);
  EXPECT_EQ(sink_.events.size(), 1u);
}

TEST_F(Mm7Routes, NotADeliveryReportIsASoapFault) {
  auto res = call("127.0.0.1:8081", "<SubmitReq/>");
  EXPECT_EQ(res.result(), beast_http::status::bad_request);
  EXPECT_NE(res.body().find("Fault"), std::string::npos);
  EXPECT_TRUE(sink_.events.empty());
}

TEST(Mm7RoutesSetup, PathsTheTableCannotHoldAreRefused) {
  Routes routes;
  routes.add(beast_http::verb::post, "/api/v1/messages", Access::kApiKey,
             [](const Request& req, const RequestContext&) -> boost::asio::awaitable<Response> {
               co_return json_error(beast_http::status::ok, "x", req);
             });
  auto taken = add_mm7_routes(routes, {.endpoints = {{"127.0.0.1:8081", "/api/v1/messages", ""}},
                                       .message_ids = nullptr, .events = nullptr, .now = {}});
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error(), "MM7_VASP_Path \"/api/v1/messages\" is already served by another route");
  auto relative = add_mm7_routes(routes, {.endpoints = {{"127.0.0.1:8081", "mm7", ""}},
                                          .message_ids = nullptr, .events = nullptr, .now = {}});
  ASSERT_FALSE(relative.has_value());
  EXPECT_EQ(routes.size(), 1u);
  EXPECT_TRUE(add_mm7_routes(routes, {}).has_value());
}

}  // namespace
}  // namespace impulse::inbound::http
