// DKIM canonicalization and header selection (RFC 6376 §3.4, §5.4.2): what
// a signer hashes. A message splits into its header fields (each with its
// folds, as written) and its body; the "simple" and "relaxed" algorithms
// turn a field or the body into the bytes that are hashed; the fields a
// signature covers are picked for an h= list from the bottom up, a name
// listed more often than the message has it covering nothing the extra
// times (over-signing).
// Lines end in CRLF; a bare LF is taken as a line end too (a message from a
// file), and written back as CRLF.
// Leaves hashing, the tag list and signing to dkim/ed25519_signer.hpp.
// Pure: no I/O, any thread; fuzzed (tests/fuzz/fuzz_protocol_dkim_inputs.cpp).
// Failure modes: none: any bytes canonicalize (a header line without a
// colon is a field with an empty value, as verifiers read it).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace impulse::protocol {

enum class DkimCanon { kSimple, kRelaxed };

struct DkimHeaderField {
  std::string_view name;   // as written, before the colon (trailing WSP included)
  std::string_view field;  // the whole field, name through the last continuation, without its final line end
};

struct DkimMessageParts {
  std::vector<DkimHeaderField> fields;  // in message order
  std::string_view body;                // after the empty line; empty when there is none
};

DkimMessageParts split_dkim_message(std::string_view message);

// The field canonicalized, ending in CRLF (RFC 6376 §3.4.1, §3.4.2).
std::string canonical_dkim_header(std::string_view field, DkimCanon canon);

// The body canonicalized (RFC 6376 §3.4.3, §3.4.4): simple ends in exactly
// one CRLF (an empty body is "\r\n"); relaxed drops trailing white space on
// each line and trailing empty lines (an empty body stays empty).
std::string canonical_dkim_body(std::string_view body, DkimCanon canon);

// The same bytes handed to `emit` in pieces, in order, without building
// the whole (a signer hashes them as they come): each non-empty line, its
// CRLF, and held empty lines once a non-empty line follows them.
void canonicalize_dkim_body(std::string_view body, DkimCanon canon,
                            const std::function<void(std::string_view)>& emit);

// The fields an h= list covers, in h= order: for each name (any case) the
// last field of that name not already taken, none when all are taken.
std::vector<const DkimHeaderField*> select_dkim_headers(const DkimMessageParts& parts,
                                                        const std::vector<std::string>& names);

}  // namespace impulse::protocol
