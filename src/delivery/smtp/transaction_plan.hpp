// Transaction planning for the SMTP client: how a message's recipients are
// cut into transactions, and which commands of a transaction are written
// together before their replies are read (SPEC §4; reference/momentum.md §5
// max_recipients_per_batch; RFC 2920 §3.1; reference/protocols.md §1.5).
//
//   plan_batches: recipients in order, at most max_recipients_per_batch per
//   transaction (250 recipients at 100 -> 100, 100, 50); every transaction
//   runs on the same connection, one after the other.
//
//   plan_transaction: the command groups of one transaction. With
//   PIPELINING (or LMTP, whose servers must pipeline) one group
//   [RSET] MAIL RCPT... DATA; without it, one command per group
//   (lock-step). RSET (only when the previous transaction failed) may sit
//   anywhere in a group and MAIL/RCPT too; DATA is always last of its group
//   (RFC 2920). A group longer than max_group_commands is cut before that
//   size, DATA staying in the last piece, so the replies to one group
//   always fit in the socket buffers and a client that writes a whole group
//   before reading cannot deadlock with a server that writes its replies
//   before reading more.
//
// The body and its final dot are not planned here: they follow a 354.
// Leaves to others: command text (command_format.hpp), what to do with the
// replies (the connection). Pure; any thread; cannot fail.
#pragma once

#include <cstddef>
#include <vector>

namespace impulse::delivery::smtp {

inline constexpr std::size_t kMaxGroupCommands = 128;

// Indexes of recipients (into the job's list), one vector per transaction.
using Batch = std::vector<std::size_t>;
std::vector<Batch> plan_batches(std::size_t recipients, std::size_t max_per_batch);

enum class CommandKind { kRset, kMailFrom, kRcptTo, kData };

struct PlannedCommand {
  CommandKind kind = CommandKind::kRset;
  std::size_t recipient = 0;  // kRcptTo: position within the transaction's batch

  bool operator==(const PlannedCommand&) const = default;
};

using CommandGroup = std::vector<PlannedCommand>;

struct PlanOptions {
  bool pipelining = false;
  bool rset_first = false;  // the previous transaction on this connection failed
  std::size_t max_group_commands = kMaxGroupCommands;  // >= 2
};

std::vector<CommandGroup> plan_transaction(std::size_t recipients, const PlanOptions& options);

}  // namespace impulse::delivery::smtp
