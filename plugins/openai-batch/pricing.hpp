// What the models cost: OpenAI's list prices for common models (US$ per million tokens, standard
// tier), half price in a batch, cached input discounted too. `run.prices` overrides them.
#pragma once

#include <string>

#include "pipehost/types.hpp"

namespace pipehost::openai {

/// The model and its prices; prices stay unset for a model the table does not know (the host then
/// asks for them under run.prices). A dated snapshot ("gpt-4.1-mini-2025-04-14") is priced as its model.
ModelInfo model_info(const std::string& model);

}  // namespace pipehost::openai
