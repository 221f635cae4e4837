// DomainConnections: what the admin layer asks of the connection manager
// (open connections, `refresh domain`, `domain NAME`), as an interface so
// admin is driven in tests without one and the HTTP API shares it.
// connection_manager_connections() adapts delivery::ConnectionManager.
// Threading: implementations are thread-safe; callbacks run once, on any
// thread. The adapted ConnectionManager must outlive the adapter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "delivery/connection_manager_view.hpp"

namespace impulse::delivery {
class ConnectionManager;
}

namespace impulse::admin {

class DomainConnections {
 public:
  virtual ~DomainConnections() = default;
  // Open outbound connections, all bindings / one binding.
  virtual std::int64_t open_connections() const = 0;
  virtual std::int64_t open_connections(std::string_view binding) const = 0;
  // Drops and rebuilds NAME's records ("all" = every domain); done(builds started).
  virtual void refresh_domain(std::string domain, std::function<void(std::size_t)> done) = 0;
  // Records of every binding for NAME (queues left empty).
  virtual void describe_domain(std::string domain, std::function<void(delivery::DomainDescription)> done) = 0;
};

std::unique_ptr<DomainConnections> connection_manager_connections(delivery::ConnectionManager& cm);

}  // namespace impulse::admin
