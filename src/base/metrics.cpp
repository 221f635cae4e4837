// Implementation of metrics.hpp.
#include "base/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace impulse::metrics {

namespace {

bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

const char* type_name(Type t) {
  switch (t) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kHistogram: return "histogram";
  }
  return "?";
}

void check_bounds(const std::vector<double>& bounds) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
      throw std::logic_error("histogram bounds must be finite, ascending and unique");
  }
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, true)) return false;
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, false)) return false;
  return true;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  check_bounds(bounds_);
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) noexcept {
  // The first bucket whose upper bound is >= value (Prometheus' "le").
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  s.counts.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.counts[i] = running;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

struct Registry::Series {
  Labels labels;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
};

struct Registry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<double> bounds;                  // histograms
  std::vector<std::unique_ptr<Series>> series;  // stable addresses
};

Registry::Registry() = default;
Registry::~Registry() = default;

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  return *series(name, help, Type::kCounter, labels, nullptr).counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  return *series(name, help, Type::kGauge, labels, nullptr).gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                               const Labels& labels) {
  return *series(name, help, Type::kHistogram, labels, &bounds).histogram;
}

Registry::Series& Registry::series(std::string_view name, std::string_view help, Type type, const Labels& labels,
                                   const std::vector<double>* bounds) {
  const std::string what = "metric " + std::string(name) + ": ";
  if (!valid_metric_name(name)) throw std::logic_error(what + "invalid name");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!valid_label_name(labels[i].first)) throw std::logic_error(what + "invalid label name " + labels[i].first);
    if (type == Type::kHistogram && labels[i].first == "le") throw std::logic_error(what + "label le is reserved");
    for (std::size_t j = 0; j < i; ++j)
      if (labels[j].first == labels[i].first) throw std::logic_error(what + "label twice: " + labels[i].first);
  }
  if (bounds) check_bounds(*bounds);
  std::lock_guard lock(mu_);
  auto fit = std::find_if(families_.begin(), families_.end(), [&](const auto& f) { return f->name == name; });
  if (fit == families_.end()) {
    auto f = std::make_unique<Family>();
    f->name = std::string(name);
    f->help = std::string(help);
    f->type = type;
    if (bounds) f->bounds = *bounds;
    families_.push_back(std::move(f));
    fit = families_.end() - 1;
  }
  Family& f = **fit;
  if (f.type != type) throw std::logic_error(what + "registered as a " + type_name(f.type));
  if (bounds && *bounds != f.bounds) throw std::logic_error(what + "registered with other buckets");
  for (auto& s : f.series)
    if (s->labels == labels) return *s;
  if (f.series.size() >= kMaxSeriesPerFamily) throw std::logic_error(what + "too many series");
  auto s = std::make_unique<Series>();
  s->labels = labels;
  switch (type) {
    case Type::kCounter: s->counter = std::make_unique<Counter>(); break;
    case Type::kGauge: s->gauge = std::make_unique<Gauge>(); break;
    case Type::kHistogram: s->histogram = std::make_unique<Histogram>(f.bounds); break;
  }
  f.series.push_back(std::move(s));
  return *f.series.back();
}

std::vector<FamilySnapshot> Registry::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<FamilySnapshot> out;
  out.reserve(families_.size());
  for (const auto& f : families_) {
    FamilySnapshot fs{f->name, f->help, f->type, {}};
    fs.samples.reserve(f->series.size());
    for (const auto& s : f->series) {
      Sample sample{s->labels, 0, std::nullopt};
      switch (f->type) {
        case Type::kCounter: sample.value = static_cast<double>(s->counter->value()); break;
        case Type::kGauge: sample.value = static_cast<double>(s->gauge->value()); break;
        case Type::kHistogram: sample.histogram = s->histogram->snapshot(); break;
      }
      fs.samples.push_back(std::move(sample));
    }
    out.push_back(std::move(fs));
  }
  return out;
}

}  // namespace impulse::metrics
