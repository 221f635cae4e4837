// The route cache: one domain record per (binding, domain), built on first
// use and kept until its TTL runs out (SPEC §3; reference/momentum.md §2.5;
// console `refresh domain NAME|all`, §8.2).
//
//   - get(): a fresh record at once, or after a build; callers arriving while
//     a build is in flight are queued on it (one build per key at a time).
//   - Expiry by TTL against the injected Clock: an expired record is rebuilt
//     on the next get().
//   - refresh(domain) / refresh_all(): drop the record(s) and rebuild now;
//     get() waits for the new record, so new routes apply at once.
//   - The routing inputs are asked of `InputsSource` at build time only: a
//     config reload does not touch a built record until it expires or is
//     refreshed.
//   - The consecutive DNS-failure count (dns_failures_to_purge) is carried
//     from each record into the next build of the same key.
//
// Threading: single-threaded; use it on the builder's (resolver's) executor.
// Callbacks may run before get() returns (cache hit, literal-only routes).
// In-flight builds that finish after the cache is destroyed are ignored.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.hpp"
#include "routing/domain_record.hpp"
#include "routing/domain_record_builder.hpp"
#include "routing/route_inputs.hpp"

namespace impulse::routing {

class DomainRecordCache {
 public:
  using Done = std::function<void(std::shared_ptr<const DomainRecord>)>;
  // Effective routing inputs for a key under the current configuration.
  using InputsSource = std::function<RouteInputs(const RecordKey&)>;

  DomainRecordCache(DomainRecordBuilder& builder, const Clock& clock, InputsSource inputs);
  DomainRecordCache(const DomainRecordCache&) = delete;
  DomainRecordCache& operator=(const DomainRecordCache&) = delete;

  // `done` gets a record that was fresh when it was built or found. The key's
  // domain is normalized (lower case, no trailing dot).
  void get(RecordKey key, Done done);

  // The cached record if present and not expired, else nullptr. Never builds.
  std::shared_ptr<const DomainRecord> find(RecordKey key) const;
  // The last record built for the key, expired or not (console `domain`).
  std::shared_ptr<const DomainRecord> last(RecordKey key) const;
  // Every last-built record, ordered by key (console `domain all`).
  std::vector<std::shared_ptr<const DomainRecord>> records() const;

  // Rebuild the records of `domain` in every binding now. Returns how many
  // builds were started (0 if the domain has never been looked up).
  std::size_t refresh(std::string_view domain);
  std::size_t refresh_all();

  // Forget expired records nobody waits for (keeping DNS-failure counts).
  std::size_t evict_expired();

  bool building(RecordKey key) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::shared_ptr<const DomainRecord> record;  // last built; may be expired or dropped by refresh
    std::shared_ptr<const DomainRecord> last;    // last built, kept across refresh for the console
    bool building = false;
    std::uint64_t generation = 0;  // the build whose result counts
    std::uint32_t dns_failures = 0;
    std::vector<Done> waiters;
  };

  void start_build(const RecordKey& key, Entry& entry);
  void on_built(const RecordKey& key, std::uint64_t generation, std::shared_ptr<const DomainRecord> record);
  static RecordKey normalized(RecordKey key);

  DomainRecordBuilder& builder_;
  const Clock& clock_;
  InputsSource inputs_;
  std::unordered_map<RecordKey, Entry, RecordKeyHash> entries_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace impulse::routing
