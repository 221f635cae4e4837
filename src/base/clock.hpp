// Clock: the seam for time. Production code asks a Clock for "now" so tests
// can drive retry schedules, TTLs and token buckets with a ManualClock.
// Thread-safety: SystemClock is stateless; ManualClock is for single-threaded
// tests (or guarded by the caller).
#pragma once

#include <chrono>

namespace impulse {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime now() const = 0;         // monotonic, for deadlines and TTLs
  virtual WallTime wall_now() const = 0;      // wall clock, for logs and expiry
};

class SystemClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  SteadyTime now() const override { return steady_; }
  WallTime wall_now() const override { return wall_; }
  void advance(std::chrono::nanoseconds d) {
    steady_ += d;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  void set_wall(WallTime t) { wall_ = t; }

 private:
  SteadyTime steady_{std::chrono::hours(1)};
  WallTime wall_{std::chrono::seconds(1'700'000'000)};
};

}  // namespace impulse
