// Implementation of dkim/ed25519_signer.hpp.
#include "dkim/ed25519_signer.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "base/strings.hpp"
#include "protocol/base64.hpp"
#include "protocol/dkim_canon.hpp"
#include "protocol/dkim_field.hpp"

namespace impulse::dkim {
namespace {

using protocol::DkimCanon;

constexpr std::size_t kFoldAt = 78;

// The field's text, folded with CRLF TAB before a piece that would pass
// column 78.
class Layout {
 public:
  explicit Layout(std::string_view start) : text_(start), column_(start.size()) {}
  void add(std::string_view piece, bool space_before) {
    if (column_ + (space_before ? 1 : 0) + piece.size() > kFoldAt) {
      text_ += "\r\n\t";
      column_ = 8;
    } else if (space_before) {
      text_ += ' ';
      ++column_;
    }
    text_ += piece;
    column_ += piece.size();
  }
  // `value` right after what is there, broken over lines where it reaches column 78.
  void add_folded_anywhere(std::string_view value) {
    while (!value.empty()) {
      if (column_ >= kFoldAt) {
        text_ += "\r\n\t";
        column_ = 8;
      }
      const std::size_t n = std::min(value.size(), kFoldAt - column_);
      text_ += value.substr(0, n);
      value.remove_prefix(n);
      column_ += n;
    }
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::size_t column_;
};

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// SHA-256 of the canonical body, hashed piece by piece as it is made (no
// copy of the body); empty when OpenSSL has no SHA-256.
std::string body_hash(std::string_view body, DkimCanon canon) {
  MdCtx md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) return {};
  protocol::canonicalize_dkim_body(
      body, canon, [&md](std::string_view piece) { EVP_DigestUpdate(md.get(), piece.data(), piece.size()); });
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(md.get(), out, &len) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

impulse::expected<std::string, std::string> sign_ed25519(const DomainSettings& domain, EVP_PKEY* key,
                                                         std::string_view message, std::int64_t now) {
  const DkimCanon header_canon = domain.header_canon;
  const DkimCanon body_canon = domain.body_canon;
  const protocol::DkimMessageParts parts = protocol::split_dkim_message(message);
  const std::string body_digest = body_hash(parts.body, body_canon);
  if (body_digest.empty()) return impulse::unexpected(std::string("DKIM signing failed: SHA-256 unavailable"));
  const std::string bh = protocol::encode_base64(body_digest);

  std::vector<std::string> names;  // as the message writes them, like libopendkim's h=
  for (const auto& f : parts.fields) {
    std::string_view name = f.name;
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    if (std::find(domain.headers.begin(), domain.headers.end(), to_lower(name)) != domain.headers.end())
      names.emplace_back(name);
  }
  names.emplace_back("from");  // over-signed

  Layout layout(std::string(protocol::kDkimSignatureName) + ":");
  layout.add("v=1;", true);
  layout.add("a=ed25519-sha256;", true);
  layout.add(std::string("c=") + (header_canon == DkimCanon::kSimple ? "simple" : "relaxed") + "/" +
                 (body_canon == DkimCanon::kSimple ? "simple" : "relaxed") + ";",
             true);
  layout.add("d=" + domain.domain + ";", true);
  layout.add("s=" + domain.selector + ";", true);
  layout.add("t=" + std::to_string(now) + ";", true);
  layout.add("bh=" + bh + ";", true);
  for (std::size_t i = 0; i < names.size(); ++i)
    layout.add((i == 0 ? "h=" : "") + names[i] + (i + 1 < names.size() ? ":" : ";"), i == 0);
  layout.add("b=", true);
  const std::string unsigned_field = layout.text();

  MdCtx md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1)
    return impulse::unexpected(std::string("DKIM signing failed: SHA-256 unavailable"));
  for (const protocol::DkimHeaderField* f : protocol::select_dkim_headers(parts, names)) {
    const std::string c = protocol::canonical_dkim_header(f->field, header_canon);
    EVP_DigestUpdate(md.get(), c.data(), c.size());
  }
  std::string own = protocol::canonical_dkim_header(unsigned_field, header_canon);
  own.resize(own.size() - 2);  // the signature field itself is hashed without its CRLF (RFC 6376 §3.7)
  EVP_DigestUpdate(md.get(), own.data(), own.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_DigestFinal_ex(md.get(), digest, &digest_len);

  // RFC 8463 §3: PureEdDSA over the SHA-256 hash, no further digest.
  MdCtx sign(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char signature[64];
  std::size_t signature_len = sizeof signature;
  if (!sign || EVP_DigestSignInit(sign.get(), nullptr, nullptr, nullptr, key) != 1 ||
      EVP_DigestSign(sign.get(), signature, &signature_len, digest, digest_len) != 1)
    return impulse::unexpected(std::string("DKIM signing failed: OpenSSL refused the Ed25519 signature"));

  // The b= value last, folded inside itself: a verifier removes it with its folds.
  const std::string b =
      protocol::encode_base64(std::string_view(reinterpret_cast<const char*>(signature), signature_len));
  layout.add_folded_anywhere(b);
  std::string field = layout.text();
  field += "\r\n";
  return field;
}

}  // namespace impulse::dkim
