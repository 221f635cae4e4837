// SmtpConnection, part 4: CHUNKING (RFC 3030; SPEC §19). When the next hop
// advertises CHUNKING (ESMTP; not LMTP), a transaction's DATA is replaced
// by one "BDAT <n> LAST" carrying the whole body: line ends made CRLF, no
// dot-stuffing, no terminator; MAIL and RCPT are still pipelined and their
// replies read before the chunk goes out (the interop rule of
// reference/protocols.md §1.9). The reply to the chunk is the reply after
// the dot (read_confirmation). BINARYMIME is never asked for: the listener
// does not offer it, so no message is binary.
#include <boost/asio.hpp>

#include "delivery/smtp/smtp_connection.hpp"
#include "protocol/inject_template.hpp"  // normalise_crlf
#include "protocol/smtp_bdat.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr std::size_t kChunkWrite = 64 * 1024;

}  // namespace

bool SmtpConnection::use_bdat() const {
  return extensions_ && caps_.chunking && settings_->protocol != SessionProtocol::kLmtp;
}

awaitable<std::optional<SessionFailure>> SmtpConnection::send_bdat(const std::string& body) {
  const auto timeout = settings_->timeouts.body;
  const std::string content = protocol::normalise_crlf(body);
  std::string out = protocol::format_bdat(content.size(), true);
  std::size_t offset = 0;
  do {
    const std::size_t n = std::min(kChunkWrite, content.size() - offset);
    out.append(content, offset, n);
    offset += n;
    if (auto f = co_await send(Phase::kBody, out, timeout)) co_return f;
    out.clear();
  } while (offset < content.size());
  co_return std::nullopt;
}

}  // namespace impulse::delivery::smtp
