// Implementation of delivery/smtp/mta_sts_fetch.hpp.
#include "delivery/smtp/mta_sts_fetch.hpp"

#include <algorithm>
#include <boost/asio/this_coro.hpp>

#include "base/strings.hpp"
#include "delivery/http1/http1_connection.hpp"
#include "dns/ask.hpp"
#include "dns/host_lookup.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

namespace {

std::chrono::milliseconds left(Clock::time_point deadline) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(ms, std::chrono::milliseconds(1));
}

MtaStsPolicyFetch failed(std::string why) { return impulse::unexpected<std::string>(std::move(why)); }

}  // namespace

MtaStsTxt mta_sts_txt_from_answer(const dns::Answer& answer) {
  MtaStsTxt out;
  out.ttl = answer.ttl;
  switch (answer.status) {
    case dns::Status::Ok: break;
    case dns::Status::NoData:
    case dns::Status::NxDomain:
      out.kind = MtaStsTxt::Kind::kAbsent;
      out.detail = "no TXT record";
      return out;
    case dns::Status::ServFail:
    case dns::Status::Timeout:
      out.kind = MtaStsTxt::Kind::kFailed;
      out.detail = std::string("TXT lookup ") + dns::status_name(answer.status) +
                   (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
      return out;
  }
  // RFC 8461 §3.1: records not starting with v=STSv1 are ignored; more than
  // one that does means no policy; so does one that does not parse.
  int sts_records = 0;
  impulse::expected<std::string, std::string> id = impulse::unexpected<std::string>("no v=STSv1 record");
  for (const std::string& txt : answer.txt) {
    const std::string_view t = trim(txt);
    if (!t.starts_with("v=STSv1")) continue;
    ++sts_records;
    id = protocol::parse_mta_sts_txt(t);
  }
  if (sts_records == 1 && id) {
    out.kind = MtaStsTxt::Kind::kRecord;
    out.id = std::move(*id);
    return out;
  }
  out.kind = MtaStsTxt::Kind::kAbsent;
  out.detail = sts_records > 1 ? "more than one v=STSv1 TXT record" : sts_records == 1 ? "bad TXT record: " + id.error()
                                                                                       : "no v=STSv1 TXT record";
  return out;
}

awaitable<MtaStsTxt> lookup_mta_sts_txt(dns::Resolver& resolver, const std::string& domain,
                                        Clock::time_point deadline) {
  const std::string name = "_mta-sts." + domain;
  const dns::Answer answer = co_await dns::ask(resolver, name, dns::RecordType::TXT, deadline);
  co_return mta_sts_txt_from_answer(answer);
}

MtaStsPolicyFetch mta_sts_policy_from_response(const http1::Http1Response& response) {
  if (response.status != 200) {
    std::string why = "HTTP " + std::to_string(response.status);
    if (response.status >= 300 && response.status < 400) why += " (redirects are not followed)";
    return failed(std::move(why));
  }
  // RFC 8461 §3.2: media type text/plain (parameters such as charset allowed).
  std::string_view type = response.header("content-type");
  type = trim(type.substr(0, type.find(';')));
  if (!iequals(type, "text/plain")) return failed("content-type \"" + std::string(type) + "\" is not text/plain");
  auto policy = protocol::parse_mta_sts_policy(response.body);
  if (!policy) return failed("bad policy: " + policy.error());
  return std::move(*policy);
}

awaitable<MtaStsPolicyFetch> fetch_mta_sts_policy(dns::Resolver& resolver, const MtaStsFetchOptions& options) {
  if (!options.tls) co_return failed("no TLS context to verify the policy host");
  const std::string host = "mta-sts." + options.domain;
  auto addresses = co_await dns::lookup_host(resolver, host, options.addresses, left(options.deadline));
  if (!addresses) co_return failed(addresses.error());

  http1::Http1ConnectOptions connect;  // named: it lives in this frame while connect() runs
  connect.host = host;
  connect.address = addresses->front().str();
  connect.port = options.port;
  connect.tls = options.tls;
  connect.verify = true;
  connect.connect_timeout = left(options.deadline);
  connect.max_response_body = protocol::kMtaStsMaxPolicyOctets;
  auto executor = co_await asio::this_coro::executor;
  auto connection = co_await http1::Http1Connection::connect(executor, connect);
  if (!connection)
    co_return failed(host + ":" + std::to_string(options.port) + ": " +
                     std::string(http1::error_kind_name(connection.error().kind)) + ": " + connection.error().detail);
  http1::Http1Request request;  // named too
  request.method = "GET";
  request.target = "/.well-known/mta-sts.txt";
  request.timeout = left(options.deadline);
  auto response = co_await (*connection)->request(request);
  (*connection)->close();
  if (!response)
    co_return failed(host + ": " + std::string(http1::error_kind_name(response.error().kind)) + ": " +
                     response.error().detail);
  co_return mta_sts_policy_from_response(*response);
}

}  // namespace impulse::delivery::smtp
