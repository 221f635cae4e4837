// base64url without padding (RFC 4648 §5; RFC 7515 §2 "Base64url
// Encoding"), as JSON Web Tokens carry their header, claims and signature.
// Pure: no I/O, any thread. Failure modes: none.
#pragma once

#include <string>
#include <string_view>

namespace impulse::protocol {

std::string encode_base64url(std::string_view bytes);

}  // namespace impulse::protocol
