// Implementation of delivery/mm7/mm7_message_ids.hpp.
#include "delivery/mm7/mm7_message_ids.hpp"

namespace impulse::delivery::mm7 {

void Mm7MessageIds::remember(std::string_view remote_id, Mm7Submission submission, std::chrono::seconds keep,
                             Clock::time_point now) {
  if (remote_id.empty() || capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  sweep(now);
  std::string key(remote_id);
  const auto expires = now + keep;
  if (auto it = by_remote_id_.find(key); it != by_remote_id_.end()) {
    auto range = by_expiry_.equal_range(it->second.expires);
    for (auto e = range.first; e != range.second; ++e)
      if (e->second == key) {
        by_expiry_.erase(e);
        break;
      }
    by_remote_id_.erase(it);
  }
  while (by_remote_id_.size() >= capacity_ && !by_expiry_.empty()) {
    by_remote_id_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  by_expiry_.emplace(expires, key);
  by_remote_id_.emplace(std::move(key), Entry{std::move(submission), expires});
}

std::optional<Mm7Submission> Mm7MessageIds::find(std::string_view remote_id, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = by_remote_id_.find(std::string(remote_id));
  if (it == by_remote_id_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.submission;
}

std::size_t Mm7MessageIds::size() const {
  std::lock_guard lock(mutex_);
  return by_remote_id_.size();
}

void Mm7MessageIds::sweep(Clock::time_point now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    by_remote_id_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

}  // namespace impulse::delivery::mm7
