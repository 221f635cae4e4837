// SpoolReadiness: the cheap "does the spool accept writes" query behind
// GET /readyz (SPEC §16): not ready when the spool directory is not
// writable by us (access(2) W_OK), its file system has no free blocks
// (statvfs(2)), or the store's last writes failed (spool::StoreStats:
// failures grew since the previous check while commits did not). Two
// system calls and one stats read per check; no spool write.
//
// Leaves to others: the other readiness conditions (listeners open, not
// shutting down: the wiring combines them), the store itself.
// Threads: check() from any loop (a mutex guards the last stats seen).
// Failures: the reason text ("spool /var/spool/impulse: not writable: ...").
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "spool/store.hpp"

namespace impulse::inbound::http {

class SpoolReadiness {
 public:
  // `store` must outlive this object.
  SpoolReadiness(const spool::Store& store, std::string spool_path);

  // nullopt = the spool accepts writes; else why not.
  std::optional<std::string> check();

 private:
  const spool::Store& store_;
  std::string path_;
  std::mutex mu_;
  spool::StoreStats last_{};
};

}  // namespace impulse::inbound::http
