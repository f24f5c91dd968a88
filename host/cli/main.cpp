// pipehost: runs a language model over every row of a dataset through stage plugins.
#include <cstdlib>
#include <iostream>

#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "pipehost/version.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifndef PIPEHOST_VERSION
#define PIPEHOST_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // glibc gives each thread that allocates its own arena (up to 8 per core). A batch run has a
  // worker per job in flight plus I/O threads, all waiting on the network most of the time; their
  // half-empty arenas cost ~4 MB of peak RSS for no speed (bench/README.md). Two are plenty.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
#endif
  using namespace pipehost::cli;
  CliOptions options;
  try {
    options = parse_command_line(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "pipehost: " << e.what() << "\nTry 'pipehost "
              << (e.command().empty() ? "" : e.command() + " ") << "--help'.\n";
    return kExitUsage;
  }
  if (options.help) {
    std::cout << usage_text(options.command_given ? options.command : std::string());
    return kExitOk;
  }
  if (options.version) {
    std::cout << "pipehost " << PIPEHOST_VERSION << " (plugin SDK " << pipehost::kSdkVersion << ", ABI "
              << pipehost::kAbiMajor << "." << pipehost::kAbiMinor << ")\n";
    return kExitOk;
  }
  return run_command(options);
}
