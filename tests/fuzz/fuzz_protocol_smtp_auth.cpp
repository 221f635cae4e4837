// Fuzz target for protocol/smtp_auth.hpp and smtp_bdat.hpp: the first line
// starts an AUTH exchange, every further line answers it; any input ends
// in a step or an error, and an exchange never outlives an error. The same
// lines go through the BDAT argument parser.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/smtp_auth.hpp"
#include "protocol/smtp_bdat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  AuthServerExchange exchange;
  bool first = true;
  while (!input.empty()) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
    (void)parse_bdat_arguments(line);
    const auto step = first || !exchange.awaiting_response() ? exchange.start(line) : exchange.respond(line);
    first = false;
    if (step.kind != AuthServerExchange::Kind::kChallenge && exchange.awaiting_response()) std::abort();
    if (step.kind == AuthServerExchange::Kind::kCredentials && step.credentials.user.empty()) std::abort();
  }
  return 0;
}
