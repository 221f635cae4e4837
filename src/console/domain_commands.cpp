// The domain family of console/admin_commands.hpp: domain, refresh domain,
// flush domain, fail domain and their `binding` forms.
#include <fmt/format.h>

#include "admin/admin.hpp"
#include "console/admin_commands.hpp"
#include "console/arguments.hpp"
#include "console/domain_format.hpp"

namespace impulse::console {

namespace {

using AdminPtr = std::shared_ptr<admin::Admin>;

void add_domain(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("domain", "domain NAME", [admin](const Words& a, Respond r) {
    if (a.size() != 1) return r(failed("usage: domain NAME\n"));
    admin->domain(a[0], [r](delivery::DomainDescription d) { r(ok(format_domain_description(d))); });
  });
}

void add_refresh_domain(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("refresh domain", "refresh domain NAME|all", [admin](const Words& a, Respond r) {
    if (a.size() != 1) return r(failed("usage: refresh domain NAME|all\n"));
    admin->refresh_domain(a[0], [r, name = a[0]](std::size_t) { r(ok(name + " refreshed.\n")); });
  });
}

// `flush domain NAME|all` and `binding flush domain BINDING NAME|all`.
Handler flush_handler(const AdminPtr& admin, bool with_binding) {
  return [admin, with_binding](const Words& a, Respond r) {
    if (a.size() != (with_binding ? 2u : 1u))
      return r(failed(with_binding ? "usage: binding flush domain BINDING NAME|all\n"
                                   : "usage: flush domain NAME|all\n"));
    admin::QueueSelector s;
    if (with_binding) s.binding = a[0];
    if (!is_all(a.back())) s.domain = a.back();
    admin->flush(std::move(s), [r, name = a.back()](std::size_t n) {
      r(ok(fmt::format("{} flushed. {} messages requeued.\n", name, n)));
    });
  };
}

// `fail domain [quiet] NAME` and `binding fail domain [quiet] BINDING NAME` ("all" refused).
Handler fail_handler(const AdminPtr& admin, bool with_binding) {
  return [admin, with_binding](const Words& in, Respond r) {
    Words a = in;
    const bool quiet = take_quiet(a);
    if (a.size() != (with_binding ? 2u : 1u) || is_all(a.back()))
      return r(failed(with_binding ? "usage: binding fail domain [quiet] BINDING NAME\n"
                                   : "usage: fail domain [quiet] NAME\n"));
    std::optional<std::string> binding;
    if (with_binding) binding = a[0];
    admin->fail_domain(std::move(binding), a.back(), quiet, [r, name = a.back()](std::size_t n) {
      r(ok(fmt::format("{} purged. {} messages failed.\n", name, n)));
    });
  };
}

}  // namespace

void add_domain_commands(CommandRegistry& reg, const AdminPtr& admin) {
  add_domain(reg, admin);
  add_refresh_domain(reg, admin);
  reg.add("flush domain", "flush domain NAME|all", flush_handler(admin, false));
  reg.add("binding flush domain", "binding flush domain BINDING NAME|all", flush_handler(admin, true));
  reg.add("fail domain", "fail domain [quiet] NAME", fail_handler(admin, false));
  reg.add("binding fail domain", "binding fail domain [quiet] BINDING NAME", fail_handler(admin, true));
}

}  // namespace impulse::console
