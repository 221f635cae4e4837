// Implementation of delivery/smtp/transaction_plan.hpp.
#include "delivery/smtp/transaction_plan.hpp"

#include <algorithm>

namespace impulse::delivery::smtp {

std::vector<Batch> plan_batches(std::size_t recipients, std::size_t max_per_batch) {
  std::vector<Batch> batches;
  if (max_per_batch == 0) max_per_batch = 1;
  for (std::size_t first = 0; first < recipients; first += max_per_batch) {
    Batch b;
    const std::size_t end = std::min(recipients, first + max_per_batch);
    b.reserve(end - first);
    for (std::size_t i = first; i < end; ++i) b.push_back(i);
    batches.push_back(std::move(b));
  }
  return batches;
}

std::vector<CommandGroup> plan_transaction(std::size_t recipients, const PlanOptions& options) {
  std::vector<PlannedCommand> commands;
  commands.reserve(recipients + 3);
  if (options.rset_first) commands.push_back({CommandKind::kRset, 0});
  commands.push_back({CommandKind::kMailFrom, 0});
  for (std::size_t i = 0; i < recipients; ++i) commands.push_back({CommandKind::kRcptTo, i});
  commands.push_back({CommandKind::kData, 0});

  std::vector<CommandGroup> groups;
  if (!options.pipelining) {
    for (const auto& c : commands) groups.push_back({c});
    return groups;
  }
  const std::size_t limit = std::max<std::size_t>(options.max_group_commands, 2);
  CommandGroup current;
  for (const auto& c : commands) {
    current.push_back(c);
    if (current.size() == limit && c.kind != CommandKind::kData) {
      groups.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) groups.push_back(std::move(current));
  return groups;
}

}  // namespace impulse::delivery::smtp
