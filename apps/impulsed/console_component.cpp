// Implementation of console_component.hpp.
#include "console_component.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "console/control_listener.hpp"
#include "daemon.hpp"
#include "impulse_version.hpp"

namespace impulse::daemon {

using console::failed;
using console::ok;
using console::Respond;
using console::Words;

ConsoleComponent::ConsoleComponent(Daemon& d) : daemon_(d) { add_daemon_commands(); }
ConsoleComponent::~ConsoleComponent() = default;

namespace {

std::string format_value(const config::OptionValue& v) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = "(";
      for (const auto& e : l) out += " \"" + e + "\"";
      return out + " )";
    }
    std::string operator()(const config::RateSpec& r) const {
      return r.per_seconds == 1 ? std::to_string(r.count) : fmt::format("{}/{}", r.count, r.per_seconds);
    }
    std::string operator()(const std::shared_ptr<const config::DictValue>& d) const {
      std::string out = "[";
      if (d)
        for (const auto& [k, val] : d->entries) out += " " + k + " = \"" + val + "\"";
      return out + " ]";
    }
  };
  return std::visit(Visitor{}, v.data);
}

}  // namespace

void ConsoleComponent::add_daemon_commands() {
  registry_.add("version", "version", [](const Words&, Respond r) {
    r(ok(fmt::format("impulsed (Impulse) {}\n", kVersion)));
  });
  registry_.add("pid", "pid", [](const Words&, Respond r) { r(ok(fmt::format("{}\n", ::getpid()))); });
  registry_.add("help", "help", [this](const Words&, Respond r) { r(ok(registry_.help_text())); });
  registry_.add("shutdown", "shutdown", [this](const Words&, Respond r) {
    r(ok("Shutting down.\n"));
    daemon_.request_shutdown();
  });
  registry_.add("config reload", "config reload [PATH]", [this](const Words& a, Respond r) {
    if (a.size() > 1) return r(failed("usage: config reload [PATH]\n"));
    auto res = daemon_.reload(a.empty() ? std::string() : a[0]);
    if (res.ok) return r(ok("Configuration reloaded.\n"));
    std::string text;
    for (const auto& e : res.errors) text += e + "\n";
    text += "Reload refused: the running configuration is unchanged.\n";
    r(failed(text));
  });
  registry_.add("config eval", "config eval [SCOPE NAME]... OPTION", [this](const Words& a, Respond r) {
    if (a.empty() || a.size() % 2 == 0) return r(failed("usage: config eval [SCOPE NAME]... OPTION\n"));
    std::vector<std::string> path(a.begin(), a.end() - 1);
    auto cfg = daemon_.live_config().current();
    auto res = cfg->eval(path, a.back());
    if (!res) return r(failed(res.error() + "\n"));
    r(ok(fmt::format("{} = {}\n", a.back(), format_value(*res->value))));
  });
}

impulse::expected<void, std::string> ConsoleComponent::start() {
  auto cfg = daemon_.live_config().current();
  auto listens = cfg->listens("control_listener");
  if (listens.empty()) return {};
  auto timeout = cfg->resolve_listener("control_listener", listens.front().address, "timeout").value->as_int();
  listener_ = std::make_unique<console::ControlListener>(daemon_.loops().loop(0), registry_,
                                                         std::chrono::seconds(timeout > 0 ? timeout : 60));
  for (const auto& l : listens) {
    auto mode = cfg->resolve_listener("control_listener", l.address, "file_mode").value->as_int();
    if (auto r = listener_->listen({l.address, static_cast<unsigned>(mode)}); !r)
      return impulse::unexpected<std::string>(r.error().message);
  }
  listener_->start();
  return {};
}

void ConsoleComponent::stop(std::function<void()> done) {
  if (listener_) listener_->stop();
  done();
}

}  // namespace impulse::daemon
