// Fuzz target for protocol/mta_sts_policy.hpp: the policy and TXT parsers
// fail cleanly, a parsed policy survives formatting and parsing again
// unchanged, and MX matching never crashes on the input as a host name.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/mta_sts_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto policy = parse_mta_sts_policy(in)) {
    auto again = parse_mta_sts_policy(format_mta_sts_policy(*policy));
    if (!again || *again != *policy) std::abort();
    for (const auto& mx : policy->mx)
      if (!mx.starts_with("*.") && !mta_sts_mx_matches(*policy, mx)) std::abort();
    (void)mta_sts_mx_matches(*policy, in);
  }
  (void)parse_mta_sts_txt(in);
  return 0;
}
