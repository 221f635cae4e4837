// Implementation of dns/tlsa_txt_rdata.hpp.
#include "dns/tlsa_txt_rdata.hpp"

namespace impulse::dns {

Result<TlsaRecord> parse_tlsa_rdata(Bytes rdata) {
  if (rdata.size() < 4) return fail("TLSA rdata shorter than 4 octets");
  TlsaRecord record;
  record.usage = rdata[0];
  record.selector = rdata[1];
  record.matching_type = rdata[2];
  record.data.assign(rdata.begin() + 3, rdata.end());
  return record;
}

Result<std::string> parse_txt_rdata(Bytes rdata) {
  if (rdata.empty()) return fail("empty TXT rdata");
  std::string out;
  std::size_t i = 0;
  while (i < rdata.size()) {
    const std::size_t len = rdata[i++];
    if (len > rdata.size() - i) return fail("TXT string runs past the rdata");
    out.append(reinterpret_cast<const char*>(rdata.data() + i), len);
    i += len;
  }
  return out;
}

}  // namespace impulse::dns
