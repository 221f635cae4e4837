// The on-disk MTA-STS policy cache (RFC 8461 §5.1; `mta_sts_policy_store`,
// SPEC §19): one file per policy domain, "<dir>/<domain>", holding the TXT
// id it was fetched under, when, and the policy. A cached policy stays in
// force for its max_age; a TXT id different from the cached one asks for a
// refetch, and until that fetch succeeds the cached policy still applies
// (a fetch failure never lowers security below it).
//
// Files are written to "<name>.tmp" and renamed, so a crash leaves the old
// or the new policy. An unreadable or corrupt file reads as absent (it
// affects only its domain). Blocking file I/O: call from the connection
// manager's loop only for these small files, or from a worker. Not
// thread-safe per domain (one writer: the fetcher of that domain).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "protocol/mta_sts_policy.hpp"

namespace impulse::delivery::smtp {

struct CachedMtaSts {
  std::string id;                 // the TXT record's id when fetched
  std::int64_t fetched_unix = 0;  // seconds since the epoch
  protocol::MtaStsPolicy policy;
  bool operator==(const CachedMtaSts&) const = default;
};

// "id: <id>\nfetched: <unix>\n\n" + the policy (protocol::format_mta_sts_policy).
std::string format_cached_mta_sts(const CachedMtaSts& cached);
impulse::expected<CachedMtaSts, std::string> parse_cached_mta_sts(std::string_view text);

// Still within max_age at `now_unix`.
bool cached_mta_sts_fresh(const CachedMtaSts& cached, std::int64_t now_unix);

class MtaStsStore {
 public:
  explicit MtaStsStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::optional<CachedMtaSts> load(std::string_view domain) const;
  Result<void> save(std::string_view domain, const CachedMtaSts& cached) const;

 private:
  std::optional<std::filesystem::path> file_of(std::string_view domain) const;
  std::filesystem::path dir_;
};

}  // namespace impulse::delivery::smtp
