// pipehost: runs a language model over every row of a dataset through stage plugins.
#include <iostream>

#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "pipehost/version.hpp"

#ifndef PIPEHOST_VERSION
#define PIPEHOST_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace pipehost::cli;
  CliOptions options;
  try {
    options = parse_command_line(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "pipehost: " << e.what() << "\nTry 'pipehost --help'.\n";
    return kExitUsage;
  }
  if (options.help) {
    std::cout << usage_text();
    return kExitOk;
  }
  if (options.version) {
    std::cout << "pipehost " << PIPEHOST_VERSION << " (plugin SDK " << pipehost::kSdkVersion << ", ABI "
              << pipehost::kAbiMajor << "." << pipehost::kAbiMinor << ")\n";
    return kExitOk;
  }
  return run_command(options);
}
