// inject_all(): hands messages to the queue::Injector and resumes the
// calling coroutine, on its own executor, once every one of them is durable
// or has failed (SPEC §5 "durable before acknowledged": an HTTP handler
// replies only after this). All messages are handed over at once, so the
// spool's group commit writes them in as few synced batches as it can.
//
// Leaves to others: what the messages are (the injection routes), ids,
// spooling, logging (the injector).
// Executor: the awaiting coroutine's; the injector's completions (from the
// spool's writer thread) are posted back to it.
// Failures: one Result per message, in order (an Error when the spool
// refused it; nothing of it is queued then).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "queue/injection.hpp"

namespace impulse::inbound::http {

boost::asio::awaitable<std::vector<Result<std::string>>> inject_all(queue::Injector& injector,
                                                                    std::vector<queue::Injection> messages);

}  // namespace impulse::inbound::http
