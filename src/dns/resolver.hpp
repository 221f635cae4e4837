// The DNS seam: what routing asks of DNS, and how answers come back
// (SPEC §3; reference/protocols.md §1.1, §8). Implementations: the
// libunbound resolver (dns/unbound_resolver.hpp) and test doubles.
//
// Callbacks are invoked on the executor the resolver was created for (one
// resolver per event loop), never inline from query(); concurrent queries
// for the same (name, type) are merged into one upstream query. Every query
// ends with exactly one callback: an answer, or a failure status (never an
// exception).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/net.hpp"

namespace impulse::dns {

enum class RecordType { MX, A, AAAA, TLSA, TXT };

enum class Status {
  Ok,        // NOERROR with records of the asked type
  NoData,    // NOERROR, name exists, no records of this type (implicit MX case)
  NxDomain,  // name does not exist
  ServFail,  // SERVFAIL / REFUSED / other upstream error (transient)
  Timeout,   // no answer before the query deadline (transient)
};

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // lower-case, no trailing dot; "" for a null MX ("MX 0 .")
};

// RFC 6698 §2.1: one TLSA record (RFC 7672 uses usages 2 DANE-TA and 3 DANE-EE).
struct TlsaRecord {
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t matching_type = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const TlsaRecord&) const = default;
};

// DNSSEC state of an answer (RFC 4035 §4.3): kInsecure without a trust
// anchor (ResolverOptions::trust_anchor_file) or outside a signed chain;
// a bogus answer is also Status::ServFail.
enum class Security { kInsecure, kSecure, kBogus };

struct Answer {
  Status status = Status::ServFail;
  Security security = Security::kInsecure;
  std::uint32_t ttl = 0;              // min TTL of the answer's records (or SOA minimum for negatives if known)
  std::string canonical_name;         // after CNAME chasing; equals the query name if none
  std::vector<MxRecord> mx;           // RecordType::MX
  std::vector<config::IpAddress> addresses;  // RecordType::A / AAAA, in answer order
  std::vector<TlsaRecord> tlsa;       // RecordType::TLSA
  std::vector<std::string> txt;       // RecordType::TXT: each record's strings joined
  std::string error_text;             // human detail for ServFail/Timeout (for logs)

  // RFC 7505: exactly one MX with preference 0 and the root as exchange.
  bool is_null_mx() const { return mx.size() == 1 && mx[0].exchange.empty(); }
};

using AnswerHandler = std::function<void(const Answer&)>;

// Names for logs and test output: "MX", "A", "AAAA"; "ok", "nodata",
// "nxdomain", "servfail", "timeout".
inline const char* record_type_name(RecordType type) {
  switch (type) {
    case RecordType::MX: return "MX";
    case RecordType::A: return "A";
    case RecordType::AAAA: return "AAAA";
    case RecordType::TLSA: return "TLSA";
    case RecordType::TXT: return "TXT";
  }
  return "?";
}
inline const char* status_name(Status status) {
  switch (status) {
    case Status::Ok: return "ok";
    case Status::NoData: return "nodata";
    case Status::NxDomain: return "nxdomain";
    case Status::ServFail: return "servfail";
    case Status::Timeout: return "timeout";
  }
  return "?";
}

class Resolver {
 public:
  virtual ~Resolver() = default;
  // `name` is taken as fully qualified (no search domains).
  virtual void query(const std::string& name, RecordType type, AnswerHandler done) = 0;
};

}  // namespace impulse::dns
