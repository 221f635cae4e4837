// Implementation of dns/host_lookup.hpp.
#include "dns/host_lookup.hpp"

#include "dns/ask.hpp"

namespace impulse::dns {

namespace asio = boost::asio;

asio::awaitable<impulse::expected<std::vector<config::IpAddress>, std::string>> lookup_host(
    Resolver& resolver, std::string name, AddressPolicy policy, std::chrono::milliseconds deadline) {
  if (auto ip = config::parse_ip(name)) co_return std::vector<config::IpAddress>{*ip};
  std::vector<RecordType> types{RecordType::A};
  if (wants_aaaa(policy)) types.push_back(RecordType::AAAA);
  const auto answers = co_await ask_all(resolver, name, types, std::chrono::steady_clock::now() + deadline);
  std::vector<config::IpAddress> v4;
  std::vector<config::IpAddress> v6;
  bool nxdomain = false;
  bool unanswered = false;
  std::string failure;  // the first servfail/timeout, with the resolver's detail
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (!answers[i]) {
      unanswered = true;
      continue;
    }
    const Answer& answer = *answers[i];
    if (answer.status == Status::Ok) {
      for (const auto& ip : answer.addresses)
        if (ip.v6 == (types[i] == RecordType::AAAA)) (ip.v6 ? v6 : v4).push_back(ip);
    } else if (answer.status == Status::NxDomain) {
      nxdomain = true;
    } else if ((answer.status == Status::ServFail || answer.status == Status::Timeout) && failure.empty()) {
      failure = std::string(record_type_name(types[i])) + " " + status_name(answer.status) +
                (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
    }
  }
  auto addresses = order_addresses(v4, v6, policy);
  if (!addresses.empty()) co_return addresses;
  if (unanswered)
    co_return impulse::unexpected("resolving " + name + " timed out after " + std::to_string(deadline.count()) + " ms");
  if (!failure.empty()) co_return impulse::unexpected("cannot resolve " + name + ": " + failure);
  if (nxdomain) co_return impulse::unexpected("cannot resolve " + name + ": no such domain (NXDOMAIN)");
  co_return impulse::unexpected("cannot resolve " + name + ": no " + (wants_aaaa(policy) ? "A or AAAA" : "A") +
                                " record");
}

}  // namespace impulse::dns
