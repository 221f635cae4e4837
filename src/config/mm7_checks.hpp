// The configuration check's MM7 rules (SPEC §14), run by validate() over the
// merged scope tree, so --check and a reload refuse what MM7 could not use:
//   error  an MM7_Permanent_Status_Codes / MM7_Temporary_Status_Codes item
//          that is not a status code (decimal, 0-9999);
//   error  an MM7_VASP_Basic_Auth without "user:password";
//   error  an MM7_VASP_Path that is not an absolute path without '{', '}',
//          '?', '#' or white space (the HTTP route table could not hold it).
// Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_mm7(const ScopeNode& root, Diagnostics& errors);

}  // namespace impulse::config
