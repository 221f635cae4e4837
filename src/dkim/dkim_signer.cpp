// Implementation of dkim/dkim_signer.hpp.
#include "dkim/dkim_signer.hpp"

#include <sys/types.h>

// dkim.h is C99 (_Bool); C++ spells it bool, with the same ABI.
#define _Bool bool
extern "C" {
#include <opendkim/dkim.h>
}
#undef _Bool

#include <chrono>

#include "dkim/ed25519_signer.hpp"
#include "protocol/dkim_field.hpp"

namespace impulse::dkim {

struct DkimSigner::Lib {
  DKIM_LIB* handle = nullptr;
  ~Lib() {
    if (handle) dkim_close(handle);
  }
};

namespace {

struct Handle {
  DKIM* dkim = nullptr;
  ~Handle() {
    if (dkim) dkim_free(dkim);
  }
};

std::string failure(DKIM* dkim, DKIM_STAT status, std::string_view step) {
  const char* detail = dkim ? dkim_geterror(dkim) : nullptr;
  std::string out = "DKIM signing failed at " + std::string(step) + ": " + dkim_getresultstr(status);
  if (detail && *detail) out += std::string(" (") + detail + ")";
  return out;
}

}  // namespace

DkimSigner::DkimSigner(DkimSettings settings) : settings_(std::move(settings)), lib_(std::make_unique<Lib>()) {}

DkimSigner::~DkimSigner() = default;

impulse::expected<std::unique_ptr<DkimSigner>, std::string> DkimSigner::create(DkimSettings settings) {
  std::unique_ptr<DkimSigner> s(new DkimSigner(std::move(settings)));
  for (const auto& d : s->settings_.domains) {
    auto key = load_dkim_key(d.key_path, d.digest);
    if (!key) return impulse::unexpected("dkim_domain \"" + d.domain + "\": " + key.error());
    s->keys_.push_back(std::move(*key));
    std::vector<const char*> list;
    for (const auto& h : d.headers) list.push_back(h.c_str());
    list.push_back(nullptr);
    s->header_lists_.push_back(std::move(list));
  }
  s->lib_->handle = dkim_init(nullptr, nullptr);
  if (!s->lib_->handle) return impulse::unexpected(std::string("libopendkim: dkim_init failed"));
  if (!dkim_libfeature(s->lib_->handle, DKIM_FEATURE_SHA256))
    return impulse::unexpected(std::string("libopendkim was built without SHA-256 signing"));
  // From is over-signed (SPEC §19): h= names it once more than it occurs,
  // so a From: added in transit breaks the signature.
  // The option takes the list itself (a char**), sized as a pointer.
  static const char* kOversign[] = {"from", nullptr};
  char** oversign = const_cast<char**>(kOversign);
  if (dkim_options(s->lib_->handle, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, oversign, sizeof oversign) !=
      DKIM_STAT_OK)
    return impulse::unexpected(std::string("libopendkim: cannot set the over-signed headers"));
  return s;
}

impulse::expected<std::string, std::string> DkimSigner::sign(const DomainSettings& domain, std::string_view id,
                                                             std::string_view message) const {
  const std::size_t index = static_cast<std::size_t>(&domain - settings_.domains.data());
  if (index >= settings_.domains.size()) return impulse::unexpected(std::string("DKIM domain not of this signer"));
  if (domain.digest == Digest::kEd25519Sha256) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return sign_ed25519(domain, keys_[index].key.get(), message, now.count());
  }
  const std::string job(id);
  DKIM_STAT status = DKIM_STAT_OK;
  Handle h;
  h.dkim = dkim_sign(lib_->handle, reinterpret_cast<const unsigned char*>(job.c_str()), nullptr,
                     reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(keys_[index].pem.c_str())),
                     reinterpret_cast<const unsigned char*>(domain.selector.c_str()),
                     reinterpret_cast<const unsigned char*>(domain.domain.c_str()),
                     domain.header_canon == Canon::kSimple ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED,
                     domain.body_canon == Canon::kSimple ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED,
                     DKIM_SIGN_RSASHA256, -1,
                     &status);
  if (!h.dkim) return impulse::unexpected(failure(nullptr, status, "dkim_sign"));
  status = dkim_signhdrs(h.dkim, const_cast<const char**>(header_lists_[index].data()));
  if (status != DKIM_STAT_OK) return impulse::unexpected(failure(h.dkim, status, "dkim_signhdrs"));
  // dkim_chunk parses the header section itself; it takes at most INT_MAX-ish pieces.
  constexpr std::size_t kPiece = 1 << 20;
  for (std::size_t off = 0; off < message.size(); off += kPiece) {
    std::string_view piece = message.substr(off, kPiece);
    status = dkim_chunk(h.dkim, reinterpret_cast<unsigned char*>(const_cast<char*>(piece.data())), piece.size());
    if (status != DKIM_STAT_OK) return impulse::unexpected(failure(h.dkim, status, "dkim_chunk"));
  }
  status = dkim_chunk(h.dkim, nullptr, 0);
  if (status != DKIM_STAT_OK) return impulse::unexpected(failure(h.dkim, status, "dkim_chunk"));
  status = dkim_eom(h.dkim, nullptr);
  if (status != DKIM_STAT_OK) return impulse::unexpected(failure(h.dkim, status, "dkim_eom"));
  unsigned char* value = nullptr;
  size_t length = 0;
  status = dkim_getsighdr_d(h.dkim, protocol::kDkimSignatureName.size() + 2, &value, &length);
  if (status != DKIM_STAT_OK || !value) return impulse::unexpected(failure(h.dkim, status, "dkim_getsighdr"));
  auto field = protocol::dkim_signature_field(std::string_view(reinterpret_cast<const char*>(value), length));
  if (!field) return impulse::unexpected("DKIM signing failed: " + field.error());
  return std::move(*field);
}

}  // namespace impulse::dkim
