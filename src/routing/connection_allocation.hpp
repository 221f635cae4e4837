// How many connections a (binding, domain) queue wants for q active
// messages: Connection_Allocation_Aggressiveness (SPEC §3 "Limits";
// reference/momentum.md §2.6, curves fitted to Momentum's published graph):
//   normal: max * (1 - e^(-q/108))     (~19 of 32 at q=100, ~31 at q=400)
//   high:   max * (1 - e^(-q/44))      (~28 of 32 at q=100, 32 from ~200)
// rounded to nearest, at least 1 when q > 0, never more than max or q.
// With an unlimited maximum (-1) a queue wants one connection per message.
// Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace impulse::routing {

enum class Aggressiveness { Normal, High };

// "normal" / "high", case-insensitive.
std::optional<Aggressiveness> parse_aggressiveness(std::string_view text);

std::int64_t wanted_connections(std::size_t active_messages, std::int64_t max_connections,
                                Aggressiveness aggressiveness);

}  // namespace impulse::routing
