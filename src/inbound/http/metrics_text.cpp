// Implementation of metrics_text.hpp.
#include "inbound/http/metrics_text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace impulse::inbound::http {

namespace {

const char* type_word(metrics::Type t) {
  switch (t) {
    case metrics::Type::kCounter: return "counter";
    case metrics::Type::kGauge: return "gauge";
    case metrics::Type::kHistogram: return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"}` with an optional extra label last (a bucket's le); "" when empty.
std::string label_block(const metrics::Labels& labels, std::string_view extra_name = {},
                        std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto one = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  };
  for (const auto& [name, value] : labels) one(name, value);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out += '}';
  return out;
}

void write_histogram(std::string& out, const std::string& name, const metrics::Sample& s) {
  if (!s.histogram) return;
  const auto& h = *s.histogram;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    const std::string le = i < h.bounds.size() ? format_sample_value(h.bounds[i]) : std::string("+Inf");
    out += fmt::format("{}_bucket{} {}\n", name, label_block(s.labels, "le", le), h.counts[i]);
  }
  out += fmt::format("{}_sum{} {}\n", name, label_block(s.labels), format_sample_value(h.sum));
  out += fmt::format("{}_count{} {}\n", name, label_block(s.labels), h.count());
}

}  // namespace

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string metrics_text(std::span<const metrics::FamilySnapshot> families) {
  // Family name -> positions in the input, in first-seen order.
  std::vector<std::vector<const metrics::FamilySnapshot*>> groups;
  std::map<std::string_view, std::size_t> index;
  for (const auto& f : families) {
    auto [it, fresh] = index.try_emplace(f.name, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(&f);
  }
  std::string out;
  for (const auto& group : groups) {
    const metrics::FamilySnapshot& head = *group.front();
    bool any = false;
    for (const auto* f : group) any = any || !f->samples.empty();
    if (!any) continue;
    out += fmt::format("# HELP {} {}\n", head.name, escape_help(head.help));
    out += fmt::format("# TYPE {} {}\n", head.name, type_word(head.type));
    for (const auto* f : group) {
      if (f->type != head.type) continue;  // a conflicting duplicate: the first one's type wins
      for (const auto& s : f->samples) {
        if (head.type == metrics::Type::kHistogram) {
          write_histogram(out, head.name, s);
        } else {
          out += fmt::format("{}{} {}\n", head.name, label_block(s.labels), format_sample_value(s.value));
        }
      }
    }
  }
  return out;
}

}  // namespace impulse::inbound::http
