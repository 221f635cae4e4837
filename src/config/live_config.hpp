// LiveConfig: the running configuration snapshot, swapped atomically by
// `config reload` / SIGHUP (docs/architecture.md "Configuration": reload
// builds a new one and swaps it; work in flight keeps the snapshot it took). Readers on any
// thread call current() and keep the shared_ptr for the duration of their
// work. Header-only; lock-free for readers where the platform allows.
#pragma once

#include <atomic>
#include <memory>

#include "config/config.hpp"

namespace impulse::config {

class LiveConfig {
 public:
  explicit LiveConfig(ConfigPtr initial) : current_(std::move(initial)) {}
  ConfigPtr current() const { return current_.load(std::memory_order_acquire); }
  void swap_in(ConfigPtr next) {
    current_.store(std::move(next), std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  // Incremented on every swap: sessions compare it to notice a reload.
  unsigned long generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::atomic<ConfigPtr> current_;
  std::atomic<unsigned long> generation_{0};
};

}  // namespace impulse::config
