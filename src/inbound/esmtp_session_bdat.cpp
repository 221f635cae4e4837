// EsmtpSession, CHUNKING (RFC 3030 §2-§4; SPEC §19): "BDAT <n> [LAST]"
// then exactly n octets, answered once they are all read, in order with
// pipelined commands. Chunks build the message; LAST hands it to the
// Injector (as DATA's final dot does). The octets of a refused chunk are
// still read (and dropped) so the session stays in step: BDAT before MAIL
// or EHLO 503 5.5.1, without an accepted recipient 503 (or 554 5.5.1 when
// every RCPT was refused), past Max_Message_Size 552 5.3.4 (the
// transaction is then over; later chunks get 503). DATA after a BDAT in
// the same transaction is 503 (on_data). A BDAT whose size cannot be
// parsed gets 501 5.5.4; its octets cannot be skipped and are read as
// commands (as Postfix does). Line ends in the content are made CRLF (no
// BINARYMIME is offered); no dot-unstuffing applies.
#include "inbound/esmtp_session.hpp"
#include "protocol/inject_template.hpp"  // normalise_crlf
#include "protocol/smtp_bdat.hpp"

namespace impulse::inbound {

void EsmtpSession::on_bdat(std::string_view arguments) {
  auto cmd = protocol::parse_bdat_arguments(arguments);
  if (!cmd) return reply(501, "5.5.4", "Syntax error: " + cmd.error());
  in_chunk_ = true;
  chunk_left_ = cmd->size;
  chunk_size_ = cmd->size;
  chunk_last_ = cmd->last;
  chunk_keep_ = false;
  chunk_refusal_code_ = 0;
  auto refuse_chunk = [&](int code, std::string_view enhanced, std::string_view text) {
    chunk_refusal_code_ = code;
    chunk_refusal_enhanced_ = std::string(enhanced);
    chunk_refusal_text_ = std::string(text);
  };
  if (phase_ == Phase::Fresh) {
    refuse_chunk(503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
  } else if (phase_ != Phase::Mail) {
    refuse_chunk(503, "5.5.1", "Bad sequence of commands: send MAIL first");
  } else if (recipients_.empty()) {
    if (rcpt_attempts_ == 0) refuse_chunk(503, "5.5.1", "Bad sequence of commands: send RCPT first");
    else refuse_chunk(554, "5.5.1", "No valid recipients");
  } else {
    bdat_used_ = true;
    const std::uint64_t limit = settings_.max_message_size;
    if (limit > 0 && (cmd->size > limit || bdat_data_.size() > limit - cmd->size)) {
      bdat_too_big_ = true;
    } else {
      chunk_keep_ = true;
    }
  }
}

void EsmtpSession::feed_chunk() {
  const std::string_view pending = std::string_view(input_).substr(input_pos_);
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, pending.size()));
  if (chunk_keep_) bdat_data_.append(pending.substr(0, n));
  input_pos_ += n;
  chunk_left_ -= n;
  if (chunk_left_ > 0) return;
  in_chunk_ = false;
  finish_chunk();
}

void EsmtpSession::finish_chunk() {
  if (!chunk_keep_) {
    if (bdat_too_big_) {
      report_refusal(552, "5.3.4", "Message size exceeds fixed maximum message size", mail_from_, {});
      reset_transaction();
      phase_ = Phase::Ready;
      return answer(552, "5.3.4", "Message size exceeds fixed maximum message size");
    }
    if (chunk_refusal_code_ == 554) {
      return refuse(chunk_refusal_code_, chunk_refusal_enhanced_, chunk_refusal_text_, mail_from_, {});
    }
    return reply(chunk_refusal_code_, chunk_refusal_enhanced_, chunk_refusal_text_);
  }
  if (!chunk_last_) return answer(250, "2.0.0", std::to_string(chunk_size_) + " octets received");
  std::string data = protocol::normalise_crlf(std::exchange(bdat_data_, {}));
  if (auto refused = mcmt_verdict(data)) {
    report_refusal(554, "5.6.0", *refused, mail_from_, {});
    reset_transaction();
    phase_ = Phase::Ready;
    return answer(554, "5.6.0", *refused);
  }
  inject_data(std::move(data));
}

}  // namespace impulse::inbound
