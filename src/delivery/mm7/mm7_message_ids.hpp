// Mm7MessageIds: which Impulse message an MMSC's MessageID belongs to
// (SPEC §14 "Delivery reports": Impulse keeps the MMSC MessageID -> message
// id mapping for message_expiration), so that a DeliveryReportReq, which
// names only the MMSC's MessageID, is recorded with the submission's
// message id.
//
// The MM7 sessions remember() each delivered submission; the HTTP
// listener's MM7 route find()s it. Entries expire after the domain's
// message_expiration (checked on find; swept on remember); at most
// `capacity` are kept, the soonest to expire dropped first.
// Kept in memory only: a report for a submission made before a restart is
// still answered (1000) and recorded, with an empty message_id.
//
// Threading: one instance for the daemon, shared by every event loop and
// the HTTP listener: every member locks a mutex (short, no I/O).
// Failure modes: none; find() of an unknown or expired id is nullopt.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace impulse::delivery::mm7 {

struct Mm7Submission {
  std::string message_id;  // the Impulse message id
  std::string recipient;   // the envelope recipient the submission was for
};

class Mm7MessageIds {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Mm7MessageIds(std::size_t capacity = 1'000'000) : capacity_(capacity) {}

  void remember(std::string_view remote_id, Mm7Submission submission, std::chrono::seconds keep,
                Clock::time_point now = Clock::now());
  std::optional<Mm7Submission> find(std::string_view remote_id, Clock::time_point now = Clock::now()) const;
  std::size_t size() const;

 private:
  struct Entry {
    Mm7Submission submission;
    Clock::time_point expires;
  };
  void sweep(Clock::time_point now);  // mutex held

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_remote_id_;
  std::multimap<Clock::time_point, std::string> by_expiry_;
};

}  // namespace impulse::delivery::mm7
