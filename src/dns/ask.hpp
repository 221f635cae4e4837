// dns::ask: questions to the loop's dns::Resolver awaited from a coroutine,
// all asked at once, within one deadline of the caller's (docs/waits.md):
// the Asio plumbing every lookup outside routing shares (dns/host_lookup.hpp
// for a token host's A/AAAA; the TXT, MX, A/AAAA and TLSA questions of
// MTA-STS and DANE in src/delivery/smtp/). The resolver's own
// dns_query_timeout still applies beneath.
//
// Leaves to others: what an answer means, caching (libunbound's own).
// Executor: the caller's; the resolver must belong to that same loop (its
// callbacks are posted there, never run inside query(), so none can arrive
// between a question and the wait). The resolver's callbacks hold only a
// weak_ptr to the wait's state: a question never answered keeps its
// callback in the resolver, which may outlive this loop's io_context, and
// a timer destroyed after its io_context is a use after free (ASan,
// dane_lookup_test). A callback arriving after the deadline is dropped.
// Failure modes: a question unanswered at the deadline has no answer
// (ask_all) or a Status::Timeout answer "no answer before the deadline"
// (ask). Never throws except std::bad_alloc. Internal to the libraries
// built on Asio.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dns/resolver.hpp"

namespace impulse::dns {

// One answer per type, in `types`' order; nullopt for a question still
// unanswered at `deadline`.
boost::asio::awaitable<std::vector<std::optional<Answer>>> ask_all(Resolver& resolver, const std::string& name,
                                                                   std::vector<RecordType> types,
                                                                   std::chrono::steady_clock::time_point deadline);

// One question: its answer, or Status::Timeout ("no answer before the
// deadline", canonical_name = name) when the deadline passes first.
boost::asio::awaitable<Answer> ask(Resolver& resolver, const std::string& name, RecordType type,
                                   std::chrono::steady_clock::time_point deadline);

}  // namespace impulse::dns
