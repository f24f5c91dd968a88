// The command line (a contract; see README.md):
//   pipehost-emulator [--port N] [--no-tls] [--state-dir DIR] [--gemini-key K] [--braintrust-key K]
//                     [--openai-key K] [--anthropic-key K] [--faults SPEC] [--seed N] [--log-requests]
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "emulator/faults/fault_config.hpp"

namespace pipehost::emulator {

struct EmulatorSettings {
  std::uint16_t port = 0;
  bool tls = true;
  std::optional<std::filesystem::path> state_dir;  // none: a fresh temp dir removed at exit
  std::optional<std::string> gemini_key;           // none: any non-empty key is accepted
  std::optional<std::string> braintrust_key;       // none: any non-empty key is accepted
  std::optional<std::string> openai_key;           // none: any non-empty key is accepted
  std::optional<std::string> anthropic_key;        // none: any non-empty key is accepted
  FaultConfig faults;
  std::uint64_t seed = 1;
  bool log_requests = false;
  bool exit_with_parent = false;  // SIGTERM when the parent dies (a crashed test must not leave us)
};

/// A bad command line; `exit_code` is 2 (usage) or 0 (--help printed).
struct CommandLineError : std::runtime_error {
  CommandLineError(const std::string& message, int exit_code)
      : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;
};

/// Parses argv; keys fall back to env GEMINI_API_KEY / BRAINTRUST_API_KEY / OPENAI_API_KEY when the
/// flags are absent.
/// Parses argv; keys fall back to env GEMINI_API_KEY / BRAINTRUST_API_KEY / ANTHROPIC_API_KEY when
/// the flags are absent.
EmulatorSettings parse_command_line(int argc, const char* const* argv);

}  // namespace pipehost::emulator
