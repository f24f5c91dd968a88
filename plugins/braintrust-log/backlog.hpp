// Resending what an earlier run could not deliver: the failed-events file and journal segments left
// by a process that stopped with events still queued. Runs in start(), before new events flow.
#pragma once

#include <cstddef>
#include <filesystem>

#include "batch_limits.hpp"
#include "event_sender.hpp"
#include "pending_journal.hpp"
#include "pipehost/host_services.hpp"

namespace pipehost::braintrust {

struct BacklogResult {
  std::size_t resent = 0;     ///< Delivered now.
  std::size_t kept = 0;       ///< Still undelivered: they are (again) in the failed file.
  std::size_t malformed = 0;  ///< Lines that were not JSON objects (a line cut by a power loss); skipped.
};

/// Sends every event of `failed_file` (if it exists) and of `leftovers`, in batches. Events that still
/// do not arrive replace the failed file's content (written to a temporary file, synced, renamed);
/// when all arrived the failed file is removed. The leftover segments are removed at the end.
/// Throws std::runtime_error when a file cannot be read or written (nothing is removed then).
BacklogResult resend_backlog(EventSender& sender, HostServices& host,
                             const std::filesystem::path& failed_file, JournalLeftovers& leftovers,
                             const BatchLimits& limits);

}  // namespace pipehost::braintrust
