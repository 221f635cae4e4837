// Implementation of dkim/dkim_keys.hpp.
#include "dkim/dkim_keys.hpp"

#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>

namespace impulse::dkim {

impulse::expected<DkimKey, std::string> load_dkim_key(const std::string& path, Digest digest) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return impulse::unexpected("DKIM key \"" + path + "\" cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  // An empty passphrase callback: an encrypted key fails instead of prompting.
  auto no_pass = [](char*, int, int, void*) { return 0; };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass, nullptr) : nullptr, EVP_PKEY_free);
  if (!key) return impulse::unexpected("DKIM key \"" + path + "\" is not a PEM private key OpenSSL can read");
  const int id = EVP_PKEY_get_base_id(key.get());
  if (digest == Digest::kEd25519Sha256 && id != EVP_PKEY_ED25519)
    return impulse::unexpected("DKIM key \"" + path + "\" is not an Ed25519 key (digest ed25519-sha256)");
  if (digest == Digest::kRsaSha256) {
    if (id != EVP_PKEY_RSA) return impulse::unexpected("DKIM key \"" + path + "\" is not an RSA key (digest rsa-sha256)");
    if (EVP_PKEY_get_bits(key.get()) < 1024)
      return impulse::unexpected("DKIM key \"" + path + "\" has fewer than 1024 bits (RFC 8301)");
  }
  return DkimKey{std::move(pem), std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free)};
}

}  // namespace impulse::dkim
