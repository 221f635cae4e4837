// The console's text format of the admin layer's results (SPEC §7;
// reference/momentum.md §8.2), in Momentum's output shapes so ec_console
// scripts keep working: summary, mailq, binding summary, showqueue,
// message details, config eval values, a refused reload. The domain report
// has its own file (console/domain_format.hpp). Pure; any thread.
#pragma once

#include <string>
#include <vector>

#include "admin/types.hpp"

namespace impulse::console {

std::string format_summary(const admin::Summary& s);
// mailq: a header line, then one line per queue as given; then, only when
// some queue is held by a route verdict, one line per held queue.
std::string format_mailq(const std::vector<admin::QueueLine>& queues);
std::string format_binding_summary(const std::vector<admin::BindingTotals>& bindings);
// showqueue: two lines per message.
std::string format_showqueue(const std::vector<admin::MessageInfo>& messages);
// message details: one block per queue holding the message.
std::string format_message_details(const std::vector<admin::MessageInfo>& messages);
// config eval: "OPTION = VALUE\n".
std::string format_eval(const admin::EvalResult& r);
std::string format_option_value(const config::OptionValue& v);
// The errors, one a line, then the refusal line.
std::string format_reload_refused(const admin::ReloadOutcome& r);

}  // namespace impulse::console
