// Helpers shared by the spool unit tests: a temporary directory, a collector
// for store callbacks (waits on a condition variable, never sleeps), and
// sample messages whose body can be recomputed from the id alone (so a
// separate process can check what another one wrote).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "spool/message.hpp"
#include "spool/store.hpp"

namespace impulse::spool::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "impulse-spool-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

// Collects the outcome of store callbacks; thread-safe.
class Completions {
 public:
  DoneCallback callback() {
    return [this](Result<void> r) {
      std::lock_guard lock(mu_);
      if (r) {
        ++ok_;
      } else {
        errors_.push_back(r.error());
      }
      cv_.notify_all();
    };
  }
  // Waits until `n` callbacks have run. The deadline only guards against a
  // hang (a lost callback fails the test instead of blocking the suite).
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(120), [&] { return ok_ + errors_.size() >= n; });
  }
  std::size_t ok() const {
    std::lock_guard lock(mu_);
    return ok_;
  }
  std::vector<Error> errors() const {
    std::lock_guard lock(mu_);
    return errors_;
  }
  std::size_t total() const {
    std::lock_guard lock(mu_);
    return ok_ + errors_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::size_t ok_ = 0;
  std::vector<Error> errors_;
};

inline Recipient make_recipient(const std::string& address) {
  Recipient r;
  r.address = address;
  auto parts = split_address(address);
  if (parts) {
    r.local_part = std::string(parts->local_part);
    r.domain = std::string(parts->domain);
  }
  return r;
}

// A body that depends only on the id, CRLF-normalised, `size` bytes.
inline Body body_for(const MessageId& id, std::size_t size = 4096) {
  std::string s = "Message-ID: <" + id.to_string() + "@impulse.test>\r\nSubject: spool test\r\n\r\n";
  while (s.size() < size) s += "line for " + id.to_string() + " \xC3\xA9\r\n";
  s.resize(size);
  return std::make_shared<const std::string>(std::move(s));
}

inline Message sample_message(const MessageId& id, int recipients = 2) {
  Message m;
  m.id = id;
  m.received = SpoolTime(std::chrono::microseconds(1'700'000'000'123'456LL + static_cast<std::int64_t>(id.seq)));
  m.sender = "sender@origin.test";
  m.peer_ip = "127.0.0.1";
  m.helo = "client.origin.test";
  m.protocol = Protocol::kEsmtp;
  m.size = 4096;
  m.binding = "b1";
  m.binding_group = "g1";
  for (int i = 0; i < recipients; ++i) {
    auto r = make_recipient("user" + std::to_string(i) + "@example" + std::to_string(i % 2) + ".test");
    r.binding = "b1";
    r.binding_group = "g1";
    m.recipients.push_back(std::move(r));
  }
  return m;
}

// Commits and waits for the durability callback.
inline Result<void> commit_and_wait(Store& store, Message m, Body body) {
  Completions done;
  store.commit_new(std::move(m), std::move(body), done.callback());
  if (!done.wait_for(1)) return fail("commit callback never ran");
  if (!done.errors().empty()) return unexpected(done.errors().front());
  return {};
}

inline Result<void> update_and_wait(Store& store, const MessageId& id, std::vector<RecipientUpdate> updates) {
  Completions done;
  store.update_recipients(id, std::move(updates), done.callback());
  if (!done.wait_for(1)) return fail("update callback never ran");
  if (!done.errors().empty()) return unexpected(done.errors().front());
  return {};
}

inline Result<void> remove_and_wait(Store& store, const MessageId& id) {
  Completions done;
  store.remove(id, done.callback());
  if (!done.wait_for(1)) return fail("remove callback never ran");
  if (!done.errors().empty()) return unexpected(done.errors().front());
  return {};
}

inline std::vector<Message> recover_all(Store& store) {
  std::vector<Message> out;
  auto report = store.recover([&](Message&& m) { out.push_back(std::move(m)); });
  EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message);
  if (report) {
    EXPECT_TRUE(report->corrupt.empty());
    EXPECT_EQ(report->messages, out.size());
  }
  return out;
}

}  // namespace impulse::spool::testing
