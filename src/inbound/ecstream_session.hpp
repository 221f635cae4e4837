// EcstreamSession: the receiver's side of one ECSTREAM connection
// (docs/ecstream.md; SPEC §15) as a pure state machine: bytes in, frames
// out, accepted messages handed to the Injector with Origin protocol
// ecstream. The network part (ecstream_connection.hpp) reads, writes and
// keeps the deadlines.
//
//   start()          queues GREETING (window = ECStream_Max_Batch_Size)
//   receive(bytes)   decodes frames: HELLO first, then MESSAGE frames, each
//                    injected at once (pipelined: many in flight, the
//                    injector's group commit batches them) or refused with
//                    a REPLY (relaying 550 5.7.1, size 552 5.3.4)
//   injected (completion)  REPLY 250 2.0.0 with the queued id only once the
//                    message is durable; 451 4.3.0 when the spool failed
//   shutdown()       GOAWAY 421 with the last seq it will answer; the
//                    messages in flight are still answered, later ones are
//                    ignored (the client retries them): never a failure
//   idle_timeout()   with nothing in flight: GOAWAY 421 4.4.2 and close
//
// Protocol violations (garbage, an SMTP dialogue, a bad or unexpected
// frame, a seq out of order, more MESSAGE frames than the window) get one
// ERROR frame (554 5.5.x and the reason) and the session ends after the
// messages already in flight are answered. The binding requested in a
// MESSAGE reaches the injector as an `X-Impulse-Binding:` header line put
// before the body (routing/binding_header_policy.hpp honours and strips
// it: a binding the receiver lacks sends the message to "default").
//
// Threads: one owner (the connection's event loop). The Injector's
// completion must run on that owner (the connection posts it back); it may
// run synchronously inside inject() (test doubles).
// Memory: at most one frame of Limits::max_payload (Max_Message_Size plus
// the envelope, capped at 64 MiB) plus one read is buffered.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "inbound/ecstream_settings.hpp"
#include "protocol/ecstream_frame.hpp"
#include "queue/injection.hpp"

namespace impulse::inbound {

struct EcstreamPeer {
  std::string ip;
  std::uint16_t port = 0;
  std::string listener_address;  // ListenerSettings::display_address()
  bool relay_allowed = false;    // relay_allowed(settings, peer ip)
  bool tls = false;              // the connection is TLS
  std::string connection_id;     // mainlog connid
};

class EcstreamSession {
 public:
  // `settings` and `injector` must outlive the session.
  EcstreamSession(const EcstreamListenerSettings& settings, EcstreamPeer peer, queue::Injector& injector);
  ~EcstreamSession();
  EcstreamSession(const EcstreamSession&) = delete;
  EcstreamSession& operator=(const EcstreamSession&) = delete;

  void start();
  void receive(std::string_view bytes);
  std::string take_output();
  bool has_output() const { return !output_.empty(); }

  // Frames are wanted (not closing, window not full).
  bool wants_input() const;
  // Nothing more to do once the output is written: close.
  bool finished() const;
  std::size_t in_flight() const { return in_flight_; }

  void idle_timeout();
  void shutdown();
  // The client closed its side (or the connection broke): stop reading;
  // the messages in flight are still answered if the socket allows.
  void peer_closed();

  // The protocol error that ended the session, "" if none (for the log).
  const std::string& error() const { return error_; }
  std::uint64_t accepted() const { return accepted_; }

 private:
  enum class Phase { kAwaitHello, kReady, kDraining, kClosed };

  void process();
  void handle(const protocol::ecstream::Frame& frame);
  void on_hello(std::string_view payload);
  void on_message(std::string_view payload);
  void injected(std::uint32_t seq, Result<std::string> id);
  void reply(std::uint32_t seq, std::uint16_t code, std::string enhanced, std::string text, std::string id = {});
  void protocol_error(std::uint16_t code, std::string enhanced, std::string reason);
  void goaway(std::uint16_t code, std::string enhanced, std::string text);

  const EcstreamListenerSettings& settings_;
  EcstreamPeer peer_;
  queue::Injector& injector_;
  std::shared_ptr<EcstreamSession*> self_;  // a late completion after destruction does nothing
  protocol::ecstream::FrameDecoder decoder_;

  Phase phase_ = Phase::kAwaitHello;
  bool processing_ = false;
  std::string client_name_;
  std::uint32_t last_seq_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t accepted_ = 0;
  std::string output_;
  std::string error_;
};

// The decoder limits of a listener: Max_Message_Size plus room for the
// envelope, capped by the protocol's 64 MiB default.
protocol::ecstream::Limits receiver_limits(const EcstreamListenerSettings& settings);

}  // namespace impulse::inbound
