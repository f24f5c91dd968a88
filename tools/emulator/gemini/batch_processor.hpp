// Turns a batch's input (a JSONL file streamed line by line, or inlined requests) into its
// output: a responses file at STATE/files/batch-<id>.bin, or inlined responses. Output order is
// deliberately NOT input order (a seeded shuffle within chunks of 256 lines), as on the real
// service, so clients must join on `key`. Memory stays bounded by one chunk.
#pragma once

#include <string>

#include "emulator/app/emulator_context.hpp"
#include "emulator/gemini/batch.hpp"
#include "emulator/gemini/content_generator.hpp"
#include "emulator/gemini/file_store.hpp"

namespace pipehost::emulator {

class BatchProcessor {
 public:
  BatchProcessor(EmulatorContext& context, FileStore& files, ContentGenerator& generator)
      : context_(context), files_(files), generator_(generator) {}
  /// Runs on a worker thread; returns early when batch.stop is set. Never throws.
  void process(Batch& batch);

 private:
  void process_file(Batch& batch);
  void process_inline(Batch& batch);

  EmulatorContext& context_;
  FileStore& files_;
  ContentGenerator& generator_;
};

/// The output line for one input line (file mode); `succeeded` tells whether it has a response.
/// A line refused by the search grounding quota (grounding_429) carries that 429 as its error.
std::string batch_output_line(std::string_view input_line, std::size_t line_number, const Batch& batch,
                              SplitMix64& fault_random, FaultInjector& recorder, ContentGenerator& generator,
                              bool& succeeded);

}  // namespace pipehost::emulator
