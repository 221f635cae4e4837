// Implementation of daemon.hpp.
#include "daemon.hpp"

#include "config/reload_path.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>

namespace impulse::daemon {

namespace {
constexpr auto kShutdownGrace = std::chrono::seconds(10);
}

struct Daemon::Signals {
  explicit Signals(boost::asio::io_context& io) : set(io, SIGTERM, SIGINT, SIGHUP), grace(io) {}
  boost::asio::signal_set set;
  boost::asio::steady_timer grace;
};

Daemon::Daemon(std::string config_path, config::ConfigPtr initial, Reporter& reporter, std::size_t loops)
    : config_path_(std::move(config_path)),
      reporter_(reporter),
      loops_(loops, [&reporter](const std::string& e) { reporter.error(e); }),
      live_(std::move(initial)) {
  std::signal(SIGPIPE, SIG_IGN);
  signals_ = std::make_unique<Signals>(loops_.loop(0));
}

Daemon::~Daemon() = default;

void Daemon::arm_signals() {
  signals_->set.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      auto r = reload();
      if (r.ok) {
        reporter_.info("configuration reloaded from " + config_path_);
      } else {
        for (const auto& e : r.errors) reporter_.error(e);
        reporter_.error("reload refused: the running configuration is unchanged");
      }
      arm_signals();
      return;
    }
    reporter_.info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
    request_shutdown();
  });
}

ReloadResult Daemon::reload(const std::string& path) {
  ReloadResult out;
  // SPEC §7: only files under the running configuration's directory.
  auto confined = config::confine_reload_path(config_path_, path);
  if (!confined) {
    out.errors.push_back(confined.error().message);
    return out;
  }
  auto loaded = config::load_config(*confined);
  if (!loaded) {
    for (const auto& d : loaded.error()) out.errors.push_back(d.str());
    return out;
  }
  for (const auto& w : (*loaded)->warnings()) reporter_.info(w.str());  // SPEC §1: printed on each reload
  live_.swap_in(*loaded);
  for (auto& c : components_) c->on_reload(*loaded);
  out.ok = true;
  return out;
}

void Daemon::request_shutdown() {
  if (stopping_.exchange(true)) return;
  boost::asio::post(loops_.loop(0), [this] {
    signals_->set.cancel();
    auto pending = std::make_shared<std::size_t>(components_.size() + 1);
    auto finished = std::make_shared<bool>(false);
    auto one_done = [this, pending, finished] {
      boost::asio::post(loops_.loop(0), [this, pending, finished] {
        if (--*pending == 0 && !*finished) {
          *finished = true;
          signals_->grace.cancel();
          finish_shutdown();
        }
      });
    };
    signals_->grace.expires_after(kShutdownGrace);
    signals_->grace.async_wait([this, finished](const boost::system::error_code& ec) {
      if (ec || *finished) return;
      *finished = true;
      reporter_.error("shutdown grace period expired; stopping with work in flight");
      finish_shutdown();
    });
    // Stop in reverse order of registration.
    for (auto it = components_.rbegin(); it != components_.rend(); ++it) (*it)->stop(one_done);
    one_done();
  });
}

void Daemon::finish_shutdown() { loops_.stop(); }

int Daemon::run() {
  arm_signals();
  reporter_.info("started: " + std::to_string(loops_.size()) + " event loop(s), configuration " + config_path_);
  loops_.run();
  components_.clear();
  return 0;
}

}  // namespace impulse::daemon
