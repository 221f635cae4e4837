// The seam for randomness in routing: RFC 5321 §5.1 requires equal-preference
// MX hosts to be tried in random order, and SPEC §3 breaks ties between
// equally loaded hosts at random. Production code uses SeededRandom seeded
// from std::random_device; tests inject a fixed seed or their own source so
// results are deterministic. Not thread-safe: one per event loop (or per
// owner), like the resolver.
#pragma once

#include <cstdint>
#include <random>

namespace impulse::routing {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A uniformly distributed integer in [0, bound). Precondition: bound > 0.
  virtual std::uint64_t below(std::uint64_t bound) = 0;
};

class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  // Seeded from std::random_device.
  static SeededRandom from_entropy();

  std::uint64_t below(std::uint64_t bound) override;

 private:
  std::mt19937_64 engine_;
};

}  // namespace impulse::routing
