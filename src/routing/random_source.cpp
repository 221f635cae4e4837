#include "routing/random_source.hpp"

namespace impulse::routing {

SeededRandom SeededRandom::from_entropy() {
  std::random_device device;
  const std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return SeededRandom(seed);
}

std::uint64_t SeededRandom::below(std::uint64_t bound) {
  std::uniform_int_distribution<std::uint64_t> dist(0, bound - 1);
  return dist(engine_);
}

}  // namespace impulse::routing
