// The HTTP/2 client's values: a request, a response, and why a request got
// no response (RFC 9113; reference/protocols.md §4a for APNs, §5b for FCM).
// Plain data shared by the APN and GCM transports and the connection
// (http2_connection.hpp); no I/O, any thread.
//
// Http2ErrorKind tells the caller what it may do next:
//   kNotProcessed   the server did not process the request (a GOAWAY whose
//                   last_stream_id is below the stream, REFUSED_STREAM, or a
//                   connection lost before the request was written): send it
//                   again on another connection; no failure to count
//   kTimeout        no response within the request's deadline
//                   (delivery_response_timeout); the stream was reset
//   kConnectionLost the connection ended after the request was sent
//   kStreamReset    the server reset the stream (RST_STREAM) before answering
//   kConnect, kTls  opening failed (connect, TLS handshake or certificate,
//                   ALPN other than h2, no SETTINGS in time)
//   kProtocol       the peer broke HTTP/2 (nghttp2 gave up on the session)
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impulse::delivery::http2 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // lower-case names

struct Http2Request {
  std::string method = "POST";
  std::string path;       // ":path", e.g. "/3/device/<token>"
  std::string authority;  // ":authority"; empty = the connection's host name
  HeaderList headers;     // regular headers (no pseudo-headers)
  std::string body;
  std::chrono::milliseconds timeout{5000};  // response deadline (delivery_response_timeout)
};

struct Http2Response {
  int status = 0;
  HeaderList headers;
  std::string body;

  // The first value of header `name` (lower-case), or "".
  std::string_view header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

enum class Http2ErrorKind { kConnect, kTls, kTimeout, kNotProcessed, kConnectionLost, kStreamReset, kProtocol };

struct Http2Error {
  Http2ErrorKind kind = Http2ErrorKind::kConnectionLost;
  std::string detail;  // one line, for logs ("GOAWAY Shutdown", "certificate verify failed: ...")
};

constexpr std::string_view error_kind_name(Http2ErrorKind kind) {
  switch (kind) {
    case Http2ErrorKind::kConnect: return "connect";
    case Http2ErrorKind::kTls: return "tls";
    case Http2ErrorKind::kTimeout: return "timeout";
    case Http2ErrorKind::kNotProcessed: return "not processed";
    case Http2ErrorKind::kConnectionLost: return "connection lost";
    case Http2ErrorKind::kStreamReset: return "stream reset";
    case Http2ErrorKind::kProtocol: return "protocol";
  }
  return "connection lost";
}

}  // namespace impulse::delivery::http2
