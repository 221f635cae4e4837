// The Lua scripts RedisLimits runs (one EVAL per decision, atomic in Redis;
// time is Redis' own TIME, so the nodes' clocks never meet). SPEC §18.
//
// kAcquireLease  KEYS[1] a ZSET of lease ids scored by expiry (ms);
//                ARGV limit, lease_ms, member. Purges expired leases,
//                counts, adds `member` if under the limit. Returns 1 or 0.
// kRenewLeases   KEYS[1]; ARGV lease_ms, members...: every member's expiry
//                set to now + lease_ms (one call per node, key and interval).
// kTakeTokens    KEYS[1] a GCRA's theoretical arrival time (us);
//                ARGV interval_us, burst (N), wanted. Grants up to `wanted`
//                tokens without exceeding N per window. Returns
//                {granted, wait_us until the next token when 0 granted}.
// Release is a plain ZREM.
// Pure data; no I/O.
#pragma once

#include <string_view>

namespace impulse::cluster {

inline constexpr std::string_view kAcquireLease = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
)lua";

inline constexpr std::string_view kRenewLeases = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
return #ARGV - 1
)lua";

inline constexpr std::string_view kTakeTokens = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local room = math.floor((now + burst * interval - tat) / interval)
if room <= 0 then return {0, tat - (burst - 1) * interval - now} end
local granted = math.min(room, wanted)
tat = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
return {granted, 0}
)lua";

}  // namespace impulse::cluster
