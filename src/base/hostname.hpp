// local_hostname(): this machine's host name, the one default for every
// place Impulse names itself (ESMTP banner, Received: "by", bounces'
// Reporting-MTA, EHLO's __hostname__). Defined once here; the daemon's
// settings and the SMTP client's settings both call it.
//
// Leaves to others: any configured override (the callers apply it).
// Threading: any thread (gethostname(2) only). Failure modes: none
// returned; when gethostname fails or gives an empty name the result is
// "localhost".
#pragma once

#include <string>

namespace impulse {

// gethostname(), or "localhost" if it fails or is empty.
std::string local_hostname();

}  // namespace impulse
