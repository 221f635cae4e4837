// The configuration check's DKIM rules (SPEC §19), run by validate() over
// the merged scope tree, so --check and a reload refuse what the signer
// could not use:
//   error  a dkim_domain stanza outside an opendkim stanza;
//   error  a dkim_domain without a selector (its own or the opendkim one's);
//   error  a dkim_domain without a key, or whose key (after %{d} and %{s})
//          is missing, unreadable, not a PEM private key, or not of the
//          kind `digest` names (reported at the `key` option, naming the file);
//   error  an unknown %{x} macro in a key path;
//   error  a headerlist name the signer cannot take.
// Reads the key files (small, once per load); the real key parsing is
// OpenSSL's, when the signer loads them (src/dkim/dkim_keys.cpp).
// Threading: runs on the loading thread. Never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_dkim(const ScopeNode& root, Diagnostics& errors);

}  // namespace impulse::config
