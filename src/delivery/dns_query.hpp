// query_dns: one dns::Resolver question awaited from a coroutine, with a
// deadline of the caller's (docs/architecture.md rule 5): the answer, or a
// Status::Timeout answer ("no answer before the deadline") when the deadline
// passes first. The resolver's own query_timeout still applies beneath.
//
// For transports that look something up before they connect: the TXT and
// A records of MTA-STS (delivery/smtp/mta_sts_fetch.hpp), TLSA for DANE.
// Leaves to others: what an answer means. Executor: the caller's; the
// resolver must belong to that same loop (its callback is posted there, so
// it cannot arrive between the question and the wait). A callback arriving
// after the deadline finds only a shared state and is dropped. Never
// throws except std::bad_alloc. Internal to src/delivery (includes Asio).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "dns/resolver.hpp"

namespace impulse::delivery {

boost::asio::awaitable<dns::Answer> query_dns(dns::Resolver& resolver, const std::string& name,
                                              dns::RecordType type,
                                              std::chrono::steady_clock::time_point deadline);

}  // namespace impulse::delivery
