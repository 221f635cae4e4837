// Conversions from the scheduler's console snapshots (queue/queue_counters.hpp)
// to the admin result types. Pure; any thread.
#pragma once

#include "admin/types.hpp"

namespace impulse::admin {

MessageInfo to_message_info(const queue::QueuedMessageInfo& m);
QueueLine to_queue_line(const queue::QueueSizes& q);

}  // namespace impulse::admin
