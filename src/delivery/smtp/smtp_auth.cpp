// SmtpConnection, part 3: outbound SMTP AUTH (see smtp_auth.hpp), and
// loopback_address / auth_may_be_sent.
#include "delivery/smtp/smtp_auth.hpp"

#include <boost/asio.hpp>

#include "base/strings.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "protocol/internal_replies.hpp"
#include "protocol/smtp_auth.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

bool loopback_address(std::string_view address) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(std::string(address), ec);
  if (ec) return false;
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()).is_loopback();
  return ip.is_loopback();
}

bool auth_may_be_sent(bool tls_active, bool unix_socket, std::string_view address) {
  return tls_active || unix_socket || loopback_address(address);
}

awaitable<std::optional<SessionFailure>> SmtpConnection::authenticate() {
  namespace ir = protocol::internal_reply;
  if (settings_->auth_user.empty()) co_return std::nullopt;
  if (!auth_may_be_sent(stream_.tls_active(), target_.unix_socket, target_.address))
    co_return SessionFailure{Phase::kAuth, FailureKind::kAuthUnavailable, std::string(ir::kAuthNeedsTls), {}};
  const bool login = iequals(settings_->auth_type, "LOGIN");
  if (!extensions_ || !caps_.auth_supports(login ? "LOGIN" : "PLAIN"))
    co_return SessionFailure{Phase::kAuth, FailureKind::kAuthUnavailable, std::string(ir::kAuthNotAdvertised), {}};

  const auto timeout = settings_->timeouts.ehlo;
  std::vector<std::string> lines;
  if (login) {
    lines = {protocol::format_auth_login(), protocol::format_auth_response(settings_->auth_user),
             protocol::format_auth_response(settings_->auth_pass)};
  } else {
    lines = {protocol::format_auth_plain(settings_->auth_user, settings_->auth_pass)};
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (auto f = co_await send(Phase::kAuth, lines[i], timeout)) co_return f;
    auto reply = co_await read_reply(Phase::kAuth, timeout);
    if (!reply) co_return reply.error();
    const bool last = i + 1 == lines.size();
    if (!last && reply->code == 334) continue;
    if (last && reply->code == 235) co_return std::nullopt;
    if (reply->code == 421) {
      drop();
      co_return SessionFailure{Phase::kAuth, FailureKind::kRejected, reply->text, {}};
    }
    if (reply->code == 334) {  // a further challenge we have no answer for: cancel
      if (auto f = co_await send(Phase::kAuth, "*\r\n", timeout)) co_return f;
      auto cancelled = co_await read_reply(Phase::kAuth, timeout);
      if (!cancelled) co_return cancelled.error();
    }
    co_return SessionFailure{Phase::kAuth, FailureKind::kRejected, reply->text, "AUTH refused"};
  }
  co_return std::nullopt;
}

}  // namespace impulse::delivery::smtp
