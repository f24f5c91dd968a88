// pipehost's exit codes (documented in docs/user-guide.md; scripts rely on them).
#pragma once

namespace pipehost::cli {

enum ExitCode : int {
  kExitOk = 0,           ///< Done; every row ok.
  kExitRowsFailed = 1,   ///< The run finished, but some rows failed (see failures.csv / summary.json).
  kExitUsage = 2,        ///< Bad command line, config, input file or plugin set-up; nothing was sent.
  kExitRuntime = 3,      ///< The run stopped on an error (provider, I/O); done work is kept, run again to resume.
  kExitCancelled = 130,  ///< Stopped by Ctrl-C / SIGTERM; done work is kept, run again to resume.
};

}  // namespace pipehost::cli
