// Implementation of queue/resident_body.hpp.
#include "queue/resident_body.hpp"

namespace impulse::queue {

bool ResidentBodyBudget::try_reserve(std::uint64_t bytes) {
  std::uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > cap_ || used > cap_ - bytes) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

bool ResidentBody::keep(spool::Body body, std::shared_ptr<ResidentBodyBudget> budget) {
  if (!body || !budget || resident()) return false;
  if (!budget->try_reserve(body->size())) return false;
  held_.store(new Held{std::move(body), std::move(budget)}, std::memory_order_release);
  return true;
}

spool::Body ResidentBody::take() const noexcept {
  Held* held = held_.exchange(nullptr, std::memory_order_acq_rel);
  if (!held) return nullptr;
  spool::Body body = std::move(held->body);
  held->budget->give_back(body->size());
  delete held;
  return body;
}

}  // namespace impulse::queue
