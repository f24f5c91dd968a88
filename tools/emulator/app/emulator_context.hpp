// What every API handler shares: where state lives, the public base URL, accounting and faults.
#pragma once

#include <filesystem>
#include <string>

#include "emulator/faults/fault_injector.hpp"
#include "emulator/stats/stats.hpp"

namespace pipehost::emulator {

struct EmulatorContext {
  EmulatorContext(std::filesystem::path state_dir, std::uint64_t seed, FaultConfig faults)
      : state_dir(std::move(state_dir)), faults(seed, faults) {}

  std::filesystem::path state_dir;
  std::string base_url;  // e.g. "https://127.0.0.1:43211", set once the port is bound
  Stats stats;
  FaultInjector faults;
};

}  // namespace pipehost::emulator
