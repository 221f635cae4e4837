// Implementation of inbound/http/readiness.hpp.
#include "inbound/http/readiness.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace impulse::inbound::http {

SpoolReadiness::SpoolReadiness(const spool::Store& store, std::string spool_path)
    : store_(store), path_(std::move(spool_path)), last_(store.stats()) {}

std::optional<std::string> SpoolReadiness::check() {
  if (!path_.empty()) {
    if (::access(path_.c_str(), W_OK) != 0)
      return "spool " + path_ + ": not writable: " + std::strerror(errno);
    struct statvfs fs {};
    if (::statvfs(path_.c_str(), &fs) == 0 && fs.f_bavail == 0) return "spool " + path_ + ": file system full";
  }
  const spool::StoreStats now = store_.stats();
  std::lock_guard lock(mu_);
  const bool failing = now.failed > last_.failed && now.commits == last_.commits && now.updates == last_.updates &&
                       now.removes == last_.removes;
  if (!failing) last_ = now;  // keep reporting until a write succeeds again
  if (failing) return "spool " + path_ + ": writes are failing";
  return std::nullopt;
}

}  // namespace impulse::inbound::http
