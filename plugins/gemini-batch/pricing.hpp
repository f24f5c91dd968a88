// What Gemini charges: token prices per model (the Gemini API's list prices, standard tier) and the
// fee of Google Search grounding, which Google bills per use rather than per token.
#pragma once

#include <string>

#include "pipehost/types.hpp"

namespace pipehost::gemini {

/// The model's prices and tool fees (prices unset for a model this table does not know).
ModelInfo model_info(const std::string& model);

/// Turns the grounding a response reports (a ToolUse "web_search" whose units are its search queries)
/// into what `model` bills: one grounded prompt on Gemini 2.5 and older models, each search query on
/// Gemini 3 and later; sets the fee.
void price_tool_uses(const std::string& model, Response& response);

}  // namespace pipehost::gemini
