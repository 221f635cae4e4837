#include "routing/connection_allocation.hpp"

#include <algorithm>
#include <cmath>

#include "base/strings.hpp"

namespace impulse::routing {

std::optional<Aggressiveness> parse_aggressiveness(std::string_view text) {
  if (iequals(text, "normal")) return Aggressiveness::Normal;
  if (iequals(text, "high")) return Aggressiveness::High;
  return std::nullopt;
}

std::int64_t wanted_connections(std::size_t active_messages, std::int64_t max_connections,
                                Aggressiveness aggressiveness) {
  if (active_messages == 0 || max_connections == 0) return 0;
  const auto q = static_cast<std::int64_t>(active_messages);
  if (max_connections < 0) return q;
  const double scale = aggressiveness == Aggressiveness::High ? 44.0 : 108.0;
  const double curve = static_cast<double>(max_connections) * (1.0 - std::exp(-static_cast<double>(q) / scale));
  const auto wanted = static_cast<std::int64_t>(std::llround(curve));
  return std::clamp<std::int64_t>(wanted, 1, std::min(max_connections, q));
}

}  // namespace impulse::routing
