// Runs one batch on its own worker thread: validates the input file (input_validation.hpp), then
// answers its lines in input order, paced over the in_progress part of batch_ms (line i of n is
// answered at 1/4 + (i+1)/n * 1/2 of batch_ms, never earlier), so request_counts grow while the
// batch runs and a cancel keeps the lines answered so far. Successes go to the output file;
// per-line failures (a bad body: 400; line_error: 500; batch_expire: batch_expired) to the error
// file. A cancelled batch's unanswered lines appear in neither file.
#pragma once

#include "emulator/app/emulator_context.hpp"
#include "emulator/openai/batch.hpp"
#include "emulator/openai/file_store.hpp"
#include "emulator/openai/openai_stats.hpp"
#include "emulator/openai/prompt_cache.hpp"

namespace pipehost::emulator::openai {

class BatchProcessor {
 public:
  BatchProcessor(EmulatorContext& context, FileStore& files, PromptCache& cache, OpenAiStats& stats)
      : context_(context), files_(files), cache_(cache), stats_(stats) {}

  /// Returns early when batch.stop is set. Never throws: a failure ends the batch `failed`.
  void process(Batch& batch);

 private:
  void answer_lines(Batch& batch, std::int64_t count);

  EmulatorContext& context_;
  FileStore& files_;
  PromptCache& cache_;
  OpenAiStats& stats_;
};

}  // namespace pipehost::emulator::openai
