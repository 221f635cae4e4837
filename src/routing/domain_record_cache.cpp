#include "routing/domain_record_cache.hpp"

#include <algorithm>
#include <utility>

#include "routing/route_plan.hpp"

namespace impulse::routing {

DomainRecordCache::DomainRecordCache(DomainRecordBuilder& builder, const Clock& clock, InputsSource inputs)
    : builder_(builder), clock_(clock), inputs_(std::move(inputs)) {}

RecordKey DomainRecordCache::normalized(RecordKey key) {
  key.domain = normalize_domain(key.domain);
  return key;
}

void DomainRecordCache::get(RecordKey key, Done done) {
  key = normalized(std::move(key));
  Entry& entry = entries_[key];
  if (!entry.building && entry.record && !entry.record->expired(clock_.now())) {
    done(entry.record);
    return;
  }
  entry.waiters.push_back(std::move(done));
  if (!entry.building) start_build(key, entry);
}

std::shared_ptr<const DomainRecord> DomainRecordCache::find(RecordKey key) const {
  auto it = entries_.find(normalized(std::move(key)));
  if (it == entries_.end() || !it->second.record || it->second.record->expired(clock_.now())) return nullptr;
  return it->second.record;
}

std::shared_ptr<const DomainRecord> DomainRecordCache::last(RecordKey key) const {
  auto it = entries_.find(normalized(std::move(key)));
  return it == entries_.end() ? nullptr : it->second.last;
}

std::vector<std::shared_ptr<const DomainRecord>> DomainRecordCache::records() const {
  std::vector<std::shared_ptr<const DomainRecord>> out;
  for (const auto& [key, entry] : entries_) {
    if (entry.last) out.push_back(entry.last);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->key < b->key; });
  return out;
}

std::size_t DomainRecordCache::refresh(std::string_view domain) {
  const std::string name = normalize_domain(domain);
  std::vector<RecordKey> keys;
  for (const auto& [key, entry] : entries_) {
    if (key.domain == name) keys.push_back(key);
  }
  for (const auto& key : keys) {
    Entry& entry = entries_[key];
    entry.record = nullptr;
    start_build(key, entry);
  }
  return keys.size();
}

std::size_t DomainRecordCache::refresh_all() {
  std::vector<RecordKey> keys;
  for (const auto& [key, entry] : entries_) keys.push_back(key);
  for (const auto& key : keys) {
    Entry& entry = entries_[key];
    entry.record = nullptr;
    start_build(key, entry);
  }
  return keys.size();
}

std::size_t DomainRecordCache::evict_expired() {
  const auto now = clock_.now();
  return std::erase_if(entries_, [now](const auto& item) {
    const Entry& entry = item.second;
    return !entry.building && entry.waiters.empty() && entry.dns_failures == 0 &&
           (!entry.record || entry.record->expired(now));
  });
}

bool DomainRecordCache::building(RecordKey key) const {
  auto it = entries_.find(normalized(std::move(key)));
  return it != entries_.end() && it->second.building;
}

void DomainRecordCache::start_build(const RecordKey& key, Entry& entry) {
  entry.building = true;
  const std::uint64_t generation = ++entry.generation;
  std::weak_ptr<int> alive = alive_;
  // The key is copied: `entry` may be gone (or moved in the map) when the build ends.
  builder_.build(key, inputs_(key), entry.dns_failures,
                 [this, alive, key, generation](std::shared_ptr<const DomainRecord> record) {
                   if (alive.expired()) return;
                   on_built(key, generation, std::move(record));
                 });
}

void DomainRecordCache::on_built(const RecordKey& key, std::uint64_t generation,
                                 std::shared_ptr<const DomainRecord> record) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) return;  // superseded by a refresh
  Entry& entry = it->second;
  entry.building = false;
  entry.record = record;
  entry.last = record;
  entry.dns_failures = record->dns_failures;
  auto waiters = std::move(entry.waiters);
  entry.waiters.clear();
  for (auto& done : waiters) done(record);
}

}  // namespace impulse::routing
