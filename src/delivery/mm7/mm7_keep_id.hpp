// keep_message_id: an MM7 session's wait for the MMSC's MessageID to be
// durable in Mm7MessageIds before the delivery is reported (SPEC §14
// "Delivery reports"; delivery/mm7/mm7_session.hpp), so it is on disk before
// the mainlog D record. Bounded: a write that takes longer than `wait` (a
// disk that hangs) is given up on, reported once through
// Mm7MessageIds::report_slow_write, and the delivery goes on (a report
// arriving after a crash may then find no mapping). A failed write is
// reported by Mm7MessageIds itself; the delivery stands either way.
//
// Executor: resumes on the awaiting coroutine's executor (the write's
// callback posts there). Never throws except std::bad_alloc.
// Internal to delivery/mm7 (includes Asio headers).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "base/clock.hpp"
#include "delivery/mm7/mm7_message_ids.hpp"

namespace impulse::delivery::mm7 {

boost::asio::awaitable<void> keep_message_id(Mm7MessageIds& ids, std::string remote_id, Mm7Submission submission,
                                             WallTime expires, std::chrono::milliseconds wait);

}  // namespace impulse::delivery::mm7
