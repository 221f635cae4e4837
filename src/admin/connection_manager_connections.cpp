// DomainConnections over delivery::ConnectionManager (domain_connections.hpp):
// each call forwards to the connection manager's console hooks.
#include "admin/domain_connections.hpp"
#include "delivery/connection_manager.hpp"

namespace impulse::admin {

namespace {

class ConnectionManagerConnections final : public DomainConnections {
 public:
  explicit ConnectionManagerConnections(delivery::ConnectionManager& cm) : cm_(cm) {}
  std::int64_t open_connections() const override { return cm_.open_connections(); }
  std::int64_t open_connections(std::string_view binding) const override { return cm_.open_connections(binding); }
  void refresh_domain(std::string domain, std::function<void(std::size_t)> done) override {
    cm_.refresh_domain(std::move(domain), std::move(done));
  }
  void describe_domain(std::string domain, std::function<void(delivery::DomainDescription)> done) override {
    cm_.describe_domain(std::move(domain), std::move(done));
  }

 private:
  delivery::ConnectionManager& cm_;
};

}  // namespace

std::unique_ptr<DomainConnections> connection_manager_connections(delivery::ConnectionManager& cm) {
  return std::make_unique<ConnectionManagerConnections>(cm);
}

}  // namespace impulse::admin
