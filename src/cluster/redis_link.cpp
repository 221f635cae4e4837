// Implementation of cluster/redis_link.hpp over hiredis' synchronous API.
#include "cluster/redis_link.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

namespace impulse::cluster {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Takes the reply (frees it).
Result<RedisReply> convert(redisReply* reply) {
  RedisReply out;
  Result<RedisReply> result = out;
  switch (reply->type) {
    case REDIS_REPLY_ERROR: result = fail(std::string(reply->str, reply->len)); break;
    case REDIS_REPLY_INTEGER: result->integer = reply->integer; break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: result->text.assign(reply->str, reply->len); break;
    case REDIS_REPLY_ARRAY:
      for (std::size_t i = 0; i < reply->elements; ++i) {
        const redisReply* e = reply->element[i];
        result->array.push_back(e->type == REDIS_REPLY_INTEGER ? e->integer : 0);
      }
      break;
    default: break;
  }
  freeReplyObject(reply);
  return result;
}

}  // namespace

RedisLink::RedisLink() = default;
RedisLink::~RedisLink() { close(); }

void RedisLink::close() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
}

Result<void> RedisLink::connect(const config::RedisAddress& address, std::chrono::milliseconds timeout) {
  close();
  const timeval tv = to_timeval(timeout);
  redisContext* c = address.socket_path.empty() ? redisConnectWithTimeout(address.host.c_str(), address.port, tv)
                                                : redisConnectUnixWithTimeout(address.socket_path.c_str(), tv);
  if (!c) return fail("cannot allocate a Redis context");
  if (c->err) {
    std::string why = c->errstr;
    redisFree(c);
    return fail(why);
  }
  redisSetTimeout(c, tv);  // deadline of every command (Cluster: 1 s)
  ctx_ = c;
  if (!address.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!address.user.empty()) auth.push_back(address.user);
    auth.push_back(address.password);
    if (auto r = command(auth); !r) {
      close();
      return fail("AUTH: " + r.error().message);
    }
  }
  if (address.db != 0) {
    if (auto r = command({"SELECT", std::to_string(address.db)}); !r) {
      close();
      return fail("SELECT: " + r.error().message);
    }
  }
  // Connected means answering: a server that accepts and never replies (or
  // is not Redis) fails here, within the timeout, instead of counting as up
  // until its first command times out.
  if (auto r = command({"PING"}); !r) {
    close();
    return fail("PING: " + r.error().message);
  }
  return {};
}

Result<RedisReply> RedisLink::command(const std::vector<std::string>& argv) {
  auto replies = pipeline({argv});
  if (!replies) return unexpected(replies.error());
  return std::move(replies->front());
}

Result<std::vector<Result<RedisReply>>> RedisLink::pipeline(const std::vector<std::vector<std::string>>& commands) {
  if (!ctx_) return fail("not connected");
  for (const auto& argv : commands) {
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data()) != REDIS_OK) {
      std::string why = ctx_->errstr[0] ? ctx_->errstr : "cannot format a command";
      close();
      return fail(why);
    }
  }
  std::vector<Result<RedisReply>> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw) {
      std::string why = ctx_->errstr[0] ? ctx_->errstr : "connection lost";
      close();
      return fail(why);
    }
    out.push_back(convert(static_cast<redisReply*>(raw)));
  }
  return out;
}

}  // namespace impulse::cluster
