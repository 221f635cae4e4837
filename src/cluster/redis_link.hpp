// RedisLink: one blocking hiredis connection (the synchronous API), with a
// deadline on the connect and on every command (redisSetTimeout), AUTH and
// SELECT from the Redis address (SPEC §18); several commands may go in one
// round trip (pipeline).
// Owned by one thread: RedisLimits' worker (redis_limits.hpp), so the event
// loops never block on Redis. Not thread-safe.
// Failure modes: a refused or timed-out connect, a command past its
// deadline, a closed socket: an Error, and the link is unusable (the caller
// reconnects). A Redis error reply (e.g. NOSCRIPT, WRONGTYPE) is an Error
// too, but the link stays usable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "config/redis_address.hpp"

struct redisContext;

namespace impulse::cluster {

// The parts of a reply the scripts use: an integer, or an array of integers.
struct RedisReply {
  std::int64_t integer = 0;
  std::vector<std::int64_t> array;
  std::string text;  // status or bulk string
};

class RedisLink {
 public:
  RedisLink();
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Deadline: `timeout` for the connect and for each command after it.
  // Succeeds only once the server has answered (AUTH, SELECT, then a PING).
  Result<void> connect(const config::RedisAddress& address, std::chrono::milliseconds timeout);
  bool usable() const { return ctx_ != nullptr; }
  void close();
  Result<RedisReply> command(const std::vector<std::string>& argv);
  // Several commands in one round trip (sent together, replies read in
  // order); one deadline per reply. The outer Error: the link failed (and
  // is closed); an inner one: that command's error reply.
  Result<std::vector<Result<RedisReply>>> pipeline(const std::vector<std::vector<std::string>>& commands);

 private:
  redisContext* ctx_ = nullptr;
};

}  // namespace impulse::cluster
