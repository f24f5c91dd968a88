// The online model endpoints, POST /v1/chat/completions and POST /v1/responses: the same answer
// a batch line with the same body gets (for custom_id ""), with fenced / prose faults drawn per
// request and cached tokens from the shared prefix cache.
#pragma once

#include "emulator/app/emulator_context.hpp"
#include "emulator/openai/openai_stats.hpp"
#include "emulator/openai/prompt.hpp"
#include "emulator/openai/prompt_cache.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::openai {

class OnlineApi {
 public:
  OnlineApi(EmulatorContext& context, PromptCache& cache, OpenAiStats& stats)
      : context_(context), cache_(cache), stats_(stats) {}

  Response answer(ModelEndpoint endpoint, Request& request);

 private:
  EmulatorContext& context_;
  PromptCache& cache_;
  OpenAiStats& stats_;
};

}  // namespace pipehost::emulator::openai
