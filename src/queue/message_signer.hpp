// MessageSigner: the seam through which the injector has a message signed
// at reception (SPEC §19 DKIM: once per message, before the 250, with the
// binding chosen at reception), so queue/ does not depend on the crypto
// library. Production: dkim::DkimSigning (src/dkim/dkim_signing.hpp, over
// libopendkim); tests use their own doubles.
//
// The injector calls sign() after the binding is chosen and the trace line
// is prepended, with the data as it will be stored and delivered, and
// prepends the returned field. Leaves to the implementation which messages
// are signed (opendkim_sign, the From: domain) and how.
// Threading: called on any listener loop at once: implementations are
// thread-safe and must not block on I/O (CPU work only).
// Failure modes: never fails the message: a problem (no From:, a key that
// would not load) comes back as paniclog text and the message goes unsigned.
#pragma once

#include <string>
#include <string_view>

namespace impulse::queue {

struct MessageSignature {
  std::string field;    // header field(s) to prepend, CRLF-terminated; "" = unsigned
  std::string problem;  // a paniclog line about this message (subject first); "" = none
};

class MessageSigner {
 public:
  virtual ~MessageSigner() = default;
  // `id` names the message in problems; `binding` is the message's binding.
  virtual MessageSignature sign(std::string_view id, std::string_view binding, std::string_view data) const = 0;
};

}  // namespace impulse::queue
