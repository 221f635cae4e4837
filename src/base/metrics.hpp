// metrics::Registry: the daemon's counters, gauges and histograms (SPEC §16
// `/metrics`), kept as relaxed atomics so the paths that update them (a
// delivery outcome, a spool commit, a connection opened) pay one atomic
// add and never a lock. One Registry is owned by the daemon and passed by
// reference to what registers or updates metrics; there is no global one.
//
//   metrics::Registry reg;
//   metrics::Counter& ok = reg.counter("impulse_deliveries_total", "Recipients by outcome",
//                                      {{"method", "smtp"}, {"outcome", "delivered"}});
//   ok.inc();                                   // any thread, lock-free
//   auto families = reg.snapshot();             // for the text exposition
//
// Label sets are bounded: a series is registered once, at start-up, with its
// label values spelt out (no label value is ever made up from traffic), and
// a family holds at most kMaxSeriesPerFamily series. Registering the same
// name and labels again returns the same object.
//
// Leaves to others: the text format (inbound/http/metrics_text.hpp), what
// each metric means (the code that registers it), values read at scrape
// time from elsewhere (the caller adds them to the snapshot).
// Threading: Counter/Gauge/Histogram updates and reads are lock-free and
// thread-safe. Registration and snapshot() take a mutex (start-up and
// scrape time only). Registered objects live as long as the Registry.
// Failures: an invalid metric or label name, a name registered with another
// type, or too many series are bugs: std::logic_error, at start-up.
// No I/O. Follows the Prometheus data model (counter, gauge, histogram).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impulse::metrics {

enum class Type { kCounter, kGauge, kHistogram };

// Label name -> value, in the order they are written out.
using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kMaxSeriesPerFamily = 1000;

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool valid_label_name(std::string_view name);

// Monotonic count of events.
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// A value that goes up and down (open connections).
class Gauge {
 public:
  void set(std::int64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

// Observations counted into fixed buckets (upper bounds, ascending), with
// their sum. observe() is two relaxed atomic adds and a short search.
class Histogram {
 public:
  struct Snapshot {
    std::vector<double> bounds;         // upper bounds, ascending (no +Inf)
    std::vector<std::uint64_t> counts;  // cumulative, bounds.size() + 1 (last = +Inf = count)
    double sum = 0;
    std::uint64_t count() const { return counts.empty() ? 0 : counts.back(); }
  };

  // `bounds` must be finite, ascending and unique (else std::logic_error).
  explicit Histogram(std::vector<double> bounds);
  void observe(double value) noexcept;
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative; last = above every bound
  std::atomic<double> sum_{0};
};

// Seconds, from 100 us to 10 s: a synced disk write and the like.
std::vector<double> latency_buckets();

// One series of a family as read now.
struct Sample {
  Labels labels;
  double value = 0;                              // counter, gauge
  std::optional<Histogram::Snapshot> histogram;  // histogram
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  Type type = Type::kGauge;
  std::vector<Sample> samples;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // Every series of one family shares the family's bounds.
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       const Labels& labels = {});

  // Every family, in registration order; series in registration order.
  std::vector<FamilySnapshot> snapshot() const;

 private:
  struct Series;
  struct Family;
  Series& series(std::string_view name, std::string_view help, Type type, const Labels& labels,
                 const std::vector<double>* bounds);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

}  // namespace impulse::metrics
