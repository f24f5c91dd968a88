// Decides, reproducibly, which requests get a fault. One seeded generator serves all requests in
// arrival order; each batch gets its own generator (seeded from the first) for its lines, so a
// batch's faults do not depend on how its processing interleaves with other requests.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "emulator/faults/fault_config.hpp"
#include "emulator/util/hash.hpp"

namespace pipehost::emulator {

class FaultInjector {
 public:
  FaultInjector(std::uint64_t seed, FaultConfig config);

  /// Replaces the configuration (counts start over); the generator keeps its sequence.
  void configure(FaultConfig config);
  FaultConfig config() const;

  /// Count faults: true (and one fewer left) when the fault applies to this request.
  bool take_create_429();
  bool take_grounding_429();
  bool take_drop_upload();
  bool take_drop_download();
  bool take_truncate_download();

  /// Probability faults drawn from the request-order generator.
  bool draw_http_5xx();
  bool draw_bt_5xx();
  bool draw_echo_key();
  bool draw_fenced();
  bool draw_prose();
  bool draw_batch_fail();
  bool draw_batch_expire();
  /// A seed for one batch's own generator.
  std::uint64_t next_batch_seed();
  /// A value to choose between variants of a fault (e.g. 500 vs 503).
  std::uint64_t next_choice();

  /// For faults drawn elsewhere (per-batch generators).
  void record(const std::string& fault);
  std::map<std::string, std::int64_t> injected() const;
  void reset_counters();

 private:
  bool take(std::uint64_t FaultConfig::*count, const char* name);
  bool draw(double FaultConfig::*probability, const char* name);

  mutable std::mutex mutex_;
  FaultConfig config_;
  SplitMix64 generator_;
  std::map<std::string, std::int64_t> injected_;
};

}  // namespace pipehost::emulator
