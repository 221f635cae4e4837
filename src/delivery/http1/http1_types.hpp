// The HTTP/1.1 client's values: a request, a response, and why a request got
// no response (RFC 9110, RFC 9112). Plain data shared by the transports that
// speak HTTP/1.1 (MM7, SPEC §14; the legacy GCM and FCM token requests,
// SPEC §13) and the connection (http1_connection.hpp); no I/O, any thread.
//
// Http1ErrorKind tells the caller what it may do next:
//   kConnect, kTls   opening failed (TCP connect, TLS handshake, the
//                    certificate's chain or name)
//   kTimeout         no complete response within the request's deadline;
//                    the connection is dropped
//   kNotProcessed    a kept-alive connection was closed by the server before
//                    any byte of the response came back, after earlier
//                    requests on it succeeded (the server timed it out as
//                    the request went): the request may be sent again on a
//                    new connection
//   kConnectionLost  the connection ended while writing or reading
//   kProtocol        the reply is not HTTP/1.1 Beast can parse, or its body
//                    is over the limit
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impulse::delivery::http1 {

using Http1HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Http1Request {
  std::string method = "POST";
  std::string target = "/";   // request target (path and query)
  std::string host;           // Host header; empty = the connection's host (":port" added when not default)
  Http1HeaderList headers;    // other headers, sent as given
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // write + response deadline (e.g. MM7_Response_Timer)
};

struct Http1Response {
  int status = 0;
  std::string reason;         // the reason phrase as sent ("OK", "Unauthorized")
  Http1HeaderList headers;    // names lower-cased
  std::string body;
  bool keep_alive = true;     // false: the server closes after this response

  // The first value of header `name` (lower-case), or "".
  std::string_view header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

enum class Http1ErrorKind { kConnect, kTls, kTimeout, kNotProcessed, kConnectionLost, kProtocol };

struct Http1Error {
  Http1ErrorKind kind = Http1ErrorKind::kConnectionLost;
  std::string detail;  // one line, for logs
};

constexpr std::string_view error_kind_name(Http1ErrorKind kind) {
  switch (kind) {
    case Http1ErrorKind::kConnect: return "connect";
    case Http1ErrorKind::kTls: return "tls";
    case Http1ErrorKind::kTimeout: return "timeout";
    case Http1ErrorKind::kNotProcessed: return "not processed";
    case Http1ErrorKind::kConnectionLost: return "connection lost";
    case Http1ErrorKind::kProtocol: return "protocol";
  }
  return "connection lost";
}

}  // namespace impulse::delivery::http1
