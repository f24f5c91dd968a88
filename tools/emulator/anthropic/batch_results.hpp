// Runs one Message Batch on its worker thread: waits until the batch is due to end (batch_ms, or
// a cancel), then streams its requests file line by line into the results file — one JSONL line
// per request, no blank lines, shuffled within chunks of 256 lines so the order is never the input
// order. Requests processed before a cancel are answered, the rest are `canceled`; with the
// batch_expire fate they are `expired`, with batch_fail `errored` (api_error); line_error makes a
// request `errored` (api_error) and invalid params make it `errored` (invalid_request_error), as
// the real API validates params asynchronously.
#pragma once

#include "emulator/anthropic/anthropic_stats.hpp"
#include "emulator/anthropic/message_batch.hpp"
#include "emulator/anthropic/prompt_cache.hpp"
#include "emulator/faults/fault_injector.hpp"

namespace pipehost::emulator::anthropic {

class BatchRunner {
 public:
  BatchRunner(PromptCache& cache, AnthropicStats& stats, FaultInjector& faults)
      : cache_(cache), stats_(stats), faults_(faults) {}
  /// Returns when the batch has ended or was stopped. Never throws.
  void run(MessageBatch& batch);

 private:
  /// Writes the results file; returns the final counts.
  RequestCounts write_results(MessageBatch& batch, std::int64_t processed);

  PromptCache& cache_;
  AnthropicStats& stats_;
  FaultInjector& faults_;
};

}  // namespace pipehost::emulator::anthropic
