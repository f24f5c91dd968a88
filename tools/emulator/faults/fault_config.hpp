// The fault switches, parsed from a SPEC like "create_429=2,fenced=0.3,batch_ms=50".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipehost::emulator {

struct FaultConfig {
  // Counts: the next N matching requests get the fault.
  std::uint64_t create_429 = 0;         // batch creates answer 429 RESOURCE_EXHAUSTED
  std::uint64_t grounding_429 = 0;      // Gemini requests with the googleSearch tool: 429 (search quota)
  std::uint64_t drop_upload = 0;        // upload chunks: connection reset after about half the bytes
  std::uint64_t drop_download = 0;      // downloads: connection reset after about half the bytes
  std::uint64_t truncate_download = 0;  // downloads: fewer bytes than Content-Length, then a normal close
  // Probabilities in [0, 1].
  double http_5xx = 0;      // any route except /_emulator/
  double bt_5xx = 0;        // BrainTrust routes
  double echo_key = 0;      // an authorised Gemini request answers 400 quoting its API key
  double fenced = 0;        // answer wrapped in a ```json fence
  double prose = 0;         // answer is prose, no JSON
  double line_error = 0;    // a batch output line (or inlined response) carries an error
  double batch_fail = 0;    // the batch ends FAILED
  double batch_expire = 0;  // the batch ends EXPIRED
  // Settings.
  double retry_delay_s = 1;      // RetryInfo.retryDelay of the 429 body
  std::uint64_t batch_ms = 200;  // time from create to a terminal state

  /// Parses a SPEC; an empty SPEC gives the defaults. Throws std::invalid_argument naming the
  /// offending item and the accepted names.
  static FaultConfig parse(std::string_view spec);
  /// The SPEC that parses back to this configuration (every name, for display).
  std::string to_spec() const;
};

}  // namespace pipehost::emulator
