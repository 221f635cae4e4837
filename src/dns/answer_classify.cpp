#include "dns/answer_classify.hpp"

#include <string>

#include "dns/dns_name.hpp"
#include "dns/tlsa_txt_rdata.hpp"

namespace impulse::dns {
namespace {

std::string rcode_text(int rcode) {
  switch (rcode) {
    case 1: return "FORMERR";
    case kRcodeServFail: return "SERVFAIL";
    case 4: return "NOTIMP";
    case kRcodeRefused: return "REFUSED";
    default: return "rcode " + std::to_string(rcode);
  }
}

Answer failure(Answer answer, Status status, std::string text) {
  answer.status = status;
  answer.ttl = 0;
  answer.mx.clear();
  answer.addresses.clear();
  answer.tlsa.clear();
  answer.txt.clear();
  answer.error_text = std::move(text);
  return answer;
}

}  // namespace

std::uint16_t wire_type(RecordType type) {
  switch (type) {
    case RecordType::MX: return 15;
    case RecordType::A: return 1;
    case RecordType::AAAA: return 28;
    case RecordType::TLSA: return 52;
    case RecordType::TXT: return 16;
  }
  return 0;
}

Answer classify_result(const RawResult& raw, RecordType type, std::string_view qname) {
  Answer answer;
  answer.canonical_name = display_name(raw.canonname.empty() ? qname : raw.canonname);
  if (raw.error != 0) {
    return failure(std::move(answer), Status::ServFail,
                   "resolver error: " + std::string(raw.error_text));
  }
  answer.security = raw.secure ? Security::kSecure : Security::kInsecure;
  if (raw.bogus) {
    answer.security = Security::kBogus;
    return failure(std::move(answer), Status::ServFail,
                   "DNSSEC validation failed: " + std::string(raw.why_bogus));
  }
  if (raw.rcode == kRcodeNxDomain || raw.nxdomain) {
    answer.status = Status::NxDomain;
    answer.ttl = raw.ttl;
    return answer;
  }
  if (raw.rcode != kRcodeNoError) {
    return failure(std::move(answer), Status::ServFail, "upstream answered " + rcode_text(raw.rcode));
  }
  if (!raw.havedata || raw.rdata.empty()) {
    answer.status = Status::NoData;
    answer.ttl = raw.ttl;
    return answer;
  }
  for (Bytes rdata : raw.rdata) {
    if (type == RecordType::MX) {
      auto mx = parse_mx_rdata(rdata);
      if (!mx) return failure(std::move(answer), Status::ServFail, "malformed MX record: " + mx.error().message);
      answer.mx.push_back(std::move(*mx));
    } else if (type == RecordType::TLSA) {
      auto tlsa = parse_tlsa_rdata(rdata);
      if (!tlsa) return failure(std::move(answer), Status::ServFail, "malformed TLSA record: " + tlsa.error().message);
      answer.tlsa.push_back(std::move(*tlsa));
    } else if (type == RecordType::TXT) {
      auto txt = parse_txt_rdata(rdata);
      if (!txt) return failure(std::move(answer), Status::ServFail, "malformed TXT record: " + txt.error().message);
      answer.txt.push_back(std::move(*txt));
    } else {
      auto ip = type == RecordType::A ? parse_a_rdata(rdata) : parse_aaaa_rdata(rdata);
      if (!ip) {
        return failure(std::move(answer), Status::ServFail,
                       std::string("malformed ") + record_type_name(type) + " record: " + ip.error().message);
      }
      answer.addresses.push_back(*ip);
    }
  }
  answer.status = Status::Ok;
  answer.ttl = raw.ttl;
  return answer;
}

}  // namespace impulse::dns
