// Implementation of inbound/ecstream_session.hpp.
#include "inbound/ecstream_session.hpp"

#include <algorithm>

namespace impulse::inbound {

namespace ec = protocol::ecstream;

namespace {

constexpr std::uint32_t kDefaultMaxPayload = ec::Limits{}.max_payload;
constexpr std::uint32_t kEnvelopeRoom = 1u << 20;  // recipients and ids beside the body

// "4.3.2 Reconfiguration in progress" -> ("4.3.2", "Reconfiguration in progress").
std::pair<std::string, std::string> split_status(const std::string& message) {
  const auto space = message.find(' ');
  const std::string first = message.substr(0, space);
  const bool enhanced = first.size() >= 5 && first[1] == '.' && (first[0] == '4' || first[0] == '5' || first[0] == '2');
  if (!enhanced) return {"4.3.2", message};
  return {first, space == std::string::npos ? std::string() : message.substr(space + 1)};
}

}  // namespace

ec::Limits receiver_limits(const EcstreamListenerSettings& settings) {
  ec::Limits limits;
  const std::uint64_t max = settings.listen.max_message_size;
  if (max != 0 && max < kDefaultMaxPayload - kEnvelopeRoom)
    limits.max_payload = static_cast<std::uint32_t>(max) + kEnvelopeRoom;
  return limits;
}

EcstreamSession::EcstreamSession(const EcstreamListenerSettings& settings, EcstreamPeer peer,
                                 queue::Injector& injector)
    : settings_(settings),
      peer_(std::move(peer)),
      injector_(injector),
      self_(std::make_shared<EcstreamSession*>(this)),
      decoder_(receiver_limits(settings)) {}

EcstreamSession::~EcstreamSession() { *self_ = nullptr; }

void EcstreamSession::start() {
  ec::Greeting g;
  g.window = std::max<std::uint32_t>(settings_.max_batch_size, 1);
  g.max_message_size = settings_.listen.max_message_size;
  g.max_payload = decoder_.limits().max_payload;
  g.name = settings_.listen.hostname;
  output_ += ec::encode(g);
}

std::string EcstreamSession::take_output() { return std::exchange(output_, {}); }

bool EcstreamSession::wants_input() const {
  return (phase_ == Phase::kAwaitHello || phase_ == Phase::kReady) &&
         in_flight_ < std::max<std::uint32_t>(settings_.max_batch_size, 1);
}

bool EcstreamSession::finished() const {
  return (phase_ == Phase::kDraining || phase_ == Phase::kClosed) && in_flight_ == 0;
}

void EcstreamSession::receive(std::string_view bytes) {
  if (phase_ == Phase::kDraining || phase_ == Phase::kClosed) return;  // after GOAWAY/ERROR: ignored
  decoder_.feed(bytes);
  process();
}

void EcstreamSession::process() {
  if (processing_) return;  // re-entered from a synchronous completion
  processing_ = true;
  while (wants_input()) {
    auto frame = decoder_.next();
    if (!frame) {
      protocol_error(554, "5.5.0", frame.error().reason);
      break;
    }
    if (!*frame) break;
    handle(**frame);
  }
  processing_ = false;
}

void EcstreamSession::handle(const ec::Frame& frame) {
  if (phase_ == Phase::kAwaitHello) {
    if (frame.type != ec::FrameType::kHello)
      return protocol_error(554, "5.5.1", "expected HELLO, got " + std::string(ec::frame_type_name(frame.type)));
    return on_hello(frame.payload);
  }
  switch (frame.type) {
    case ec::FrameType::kMessage: return on_message(frame.payload);
    case ec::FrameType::kError:  // the client gives up: answer what is in flight, then close
      error_ = "client sent ERROR";
      phase_ = Phase::kDraining;
      return;
    default: return protocol_error(554, "5.5.1", "unexpected " + std::string(ec::frame_type_name(frame.type)) + " frame");
  }
}

void EcstreamSession::on_hello(std::string_view payload) {
  auto hello = ec::parse_hello(payload, decoder_.limits());
  if (!hello) return protocol_error(554, "5.5.2", "bad HELLO: " + hello.error().reason);
  if (hello->version != ec::kVersion)
    return protocol_error(554, "5.5.2", "unsupported version " + std::to_string(hello->version));
  client_name_ = hello->name;
  phase_ = Phase::kReady;
}

void EcstreamSession::on_message(std::string_view payload) {
  auto parsed = ec::parse_message(payload, decoder_.limits());
  if (!parsed) return protocol_error(554, "5.5.2", "bad MESSAGE: " + parsed.error().reason);
  ec::Message& m = *parsed;
  if (m.seq != last_seq_ + 1)
    return protocol_error(554, "5.5.2", "MESSAGE seq " + std::to_string(m.seq) + " after " + std::to_string(last_seq_));
  last_seq_ = m.seq;
  if (!peer_.relay_allowed) return reply(m.seq, 550, "5.7.1", "relaying denied");
  const std::uint64_t max = settings_.listen.max_message_size;
  if (max != 0 && m.body.size() > max) return reply(m.seq, 552, "5.3.4", "message size exceeds fixed maximum message size");

  queue::Injection in;
  in.envelope.sender = std::move(m.sender);
  in.envelope.recipients = std::move(m.recipients);
  in.envelope.body_8bitmime = (m.flags & ec::kFlag8BitMime) != 0;
  if (!m.binding.empty() && m.binding != "default") {
    in.data.reserve(m.binding.size() + 22 + m.body.size() + 2);
    in.data = "X-Impulse-Binding: " + m.binding + "\r\n";
    in.data += m.body;
  } else {
    in.data = std::move(m.body);
  }
  if (!in.data.empty() && !in.data.ends_with("\r\n")) in.data += "\r\n";  // the injector's contract
  in.origin.protocol = spool::Protocol::kEcstream;
  in.origin.esmtp = false;
  in.origin.peer_ip = peer_.ip;
  in.origin.peer_port = peer_.port;
  in.origin.helo = client_name_;
  in.origin.tls = peer_.tls;
  in.origin.connection_id = peer_.connection_id;
  in.origin.listener_address = peer_.listener_address;
  in.origin.origin_id = std::move(m.message_id);
  ++in_flight_;
  std::weak_ptr<EcstreamSession*> weak = self_;
  const std::uint32_t seq = m.seq;
  injector_.inject(std::move(in), [weak, seq](Result<std::string> id) {
    if (auto self = weak.lock(); self && *self) (*self)->injected(seq, std::move(id));
  });
}

void EcstreamSession::injected(std::uint32_t seq, Result<std::string> id) {
  --in_flight_;
  if (id) {
    ++accepted_;
    reply(seq, 250, "2.0.0", "Ok: queued as " + *id, *id);
  } else {
    reply(seq, 451, "4.3.0", id.error().message.empty() ? "Temporary failure, try again later" : id.error().message);
  }
  process();  // frames held back by a full window
}

void EcstreamSession::reply(std::uint32_t seq, std::uint16_t code, std::string enhanced, std::string text,
                            std::string id) {
  output_ += ec::encode(ec::Reply{seq, code, std::move(enhanced), std::move(text), std::move(id)});
}

void EcstreamSession::protocol_error(std::uint16_t code, std::string enhanced, std::string reason) {
  if (phase_ == Phase::kClosed) return;
  error_ = reason;
  output_ += ec::encode(ec::ErrorFrame{code, std::move(enhanced), std::move(reason)});
  phase_ = Phase::kClosed;
}

void EcstreamSession::goaway(std::uint16_t code, std::string enhanced, std::string text) {
  if (phase_ == Phase::kDraining || phase_ == Phase::kClosed) return;
  output_ += ec::encode(ec::Goaway{last_seq_, code, std::move(enhanced), std::move(text)});
  phase_ = Phase::kDraining;
}

void EcstreamSession::idle_timeout() {
  if (in_flight_ != 0) return;  // the injector answers soon; not idle
  goaway(421, "4.4.2", settings_.listen.hostname + " idle timeout, closing connection");
}

void EcstreamSession::shutdown() {
  auto [enhanced, text] = split_status(settings_.reconfig_message);
  goaway(421, std::move(enhanced), std::move(text));
}

void EcstreamSession::peer_closed() {
  if (phase_ == Phase::kAwaitHello || phase_ == Phase::kReady) phase_ = Phase::kDraining;
}

}  // namespace impulse::inbound
