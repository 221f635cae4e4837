// Implementation of inbound/stop_tracker.hpp.
#include "inbound/stop_tracker.hpp"

namespace impulse::inbound {

bool StopTracker::request_stop(std::function<void()> done, std::size_t loops) {
  bool first = false;
  {
    std::lock_guard lock(mu_);
    if (done) done_ = std::move(done);
    if (!stop_requested_) {
      first = true;
      loops_to_stop_ = loops;    // before stop_requested_: maybe_done() reads both
      stop_requested_ = true;
    }
  }
  if (!first) maybe_done();
  return first;
}

void StopTracker::loop_stopped() {
  --loops_to_stop_;
  maybe_done();
}

void StopTracker::session_ended() {
  --live_;
  maybe_done();
}

void StopTracker::maybe_done() {
  if (!stop_requested_ || loops_to_stop_ != 0 || live_ != 0) return;
  std::function<void()> d;
  {
    std::lock_guard lock(mu_);
    d = std::move(done_);
    done_ = nullptr;
  }
  if (d) d();
}

}  // namespace impulse::inbound
