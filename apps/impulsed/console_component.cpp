// Implementation of console_component.hpp.
#include "console_component.hpp"

#include <boost/asio/io_context.hpp>

#include "console/control_listener.hpp"
#include "console_endpoint_from_config.hpp"
#include "daemon.hpp"

namespace impulse::daemon {

ConsoleComponent::ConsoleComponent(Daemon& d) : daemon_(d) {}
ConsoleComponent::~ConsoleComponent() = default;

impulse::expected<void, std::string> ConsoleComponent::start() {
  auto cfg = daemon_.live_config().current();
  auto listens = cfg->listens("control_listener");
  if (listens.empty()) return {};
  auto timeout = cfg->resolve_listener("control_listener", listens.front().address, "timeout").value->as_int();
  listener_ = std::make_unique<console::ControlListener>(
      daemon_.loops().loop(0), registry_, std::chrono::seconds(timeout > 0 ? timeout : 60),
      [this](std::string_view line) { daemon_.reporter().error(std::string(line)); });
  for (const auto& l : listens) {
    auto endpoint = control_endpoint_from(*cfg, l.address);  // File_Mode, login, TLS
    if (!endpoint) return impulse::unexpected<std::string>(endpoint.error());
    if (auto r = listener_->listen(*endpoint); !r) return impulse::unexpected<std::string>(r.error().message);
  }
  listener_->start();
  return {};
}

void ConsoleComponent::stop(std::function<void()> done) {
  if (listener_) listener_->stop();
  done();
}

}  // namespace impulse::daemon
