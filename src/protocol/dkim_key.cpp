// Implementation of protocol/dkim_key.hpp.
#include "protocol/dkim_key.hpp"

#include "protocol/base64.hpp"

namespace impulse::protocol {
namespace {

// DER encodings of the algorithm OIDs (tag 06, length, value).
constexpr std::string_view kRsaEncryptionOid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 11);  // 1.2.840.113549.1.1.1
constexpr std::string_view kEd25519Oid("\x06\x03\x2b\x65\x70", 5);                                 // 1.3.101.112

// The base64 text between "-----BEGIN <label>-----" and its END line.
bool armoured(std::string_view pem, std::string_view label, std::string_view& body) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  std::size_t b = pem.find(begin);
  if (b == std::string_view::npos) return false;
  std::size_t from = b + begin.size();
  std::size_t e = pem.find(end, from);
  if (e == std::string_view::npos) return false;
  body = pem.substr(from, e - from);
  return true;
}

}  // namespace

impulse::expected<DkimKeyKind, std::string> dkim_pem_key_kind(std::string_view pem) {
  std::string_view body;
  if (armoured(pem, "ENCRYPTED PRIVATE KEY", body))
    return impulse::unexpected(std::string("the key is encrypted (a DKIM key file must not need a passphrase)"));
  if (armoured(pem, "RSA PRIVATE KEY", body)) {
    if (body.find("ENCRYPTED") != std::string_view::npos)
      return impulse::unexpected(std::string("the key is encrypted (a DKIM key file must not need a passphrase)"));
    auto der = decode_base64(body);
    if (!der) return impulse::unexpected("bad PEM: " + der.error());
    if (der->empty() || static_cast<unsigned char>((*der)[0]) != 0x30)
      return impulse::unexpected(std::string("bad PEM: not a DER sequence"));
    return DkimKeyKind::kRsa;
  }
  if (armoured(pem, "PRIVATE KEY", body)) {
    auto der = decode_base64(body);
    if (!der) return impulse::unexpected("bad PEM: " + der.error());
    if (der->empty() || static_cast<unsigned char>((*der)[0]) != 0x30)
      return impulse::unexpected(std::string("bad PEM: not a DER sequence"));
    // PrivateKeyInfo: version, then the AlgorithmIdentifier near the start.
    std::string_view head = std::string_view(*der).substr(0, 32);
    if (head.find(kRsaEncryptionOid) != std::string_view::npos) return DkimKeyKind::kRsa;
    if (head.find(kEd25519Oid) != std::string_view::npos) return DkimKeyKind::kEd25519;
    return impulse::unexpected(std::string("the key is neither RSA nor Ed25519"));
  }
  if (pem.find("-----BEGIN EC PRIVATE KEY-----") != std::string_view::npos)
    return impulse::unexpected(std::string("the key is neither RSA nor Ed25519"));
  return impulse::unexpected(std::string("no PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)"));
}

std::string_view dkim_digest_for(DkimKeyKind kind) {
  return kind == DkimKeyKind::kEd25519 ? "ed25519-sha256" : "rsa-sha256";
}

}  // namespace impulse::protocol
