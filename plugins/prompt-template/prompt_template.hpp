// The prompt-template RequestBuilder stage: every row becomes a Request with the shared system
// instruction (read once from a file), the user message rendered from a template, the response schema
// (read once), generation settings, tools and provider-specific extras.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/sdk.hpp"
#include "user_template.hpp"

namespace pipehost::prompt_template {

/// Sampling settings; unset ones use the provider's defaults.
struct GenerationConfig {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> top_k;
  std::optional<std::int64_t> max_output_tokens;
  std::optional<std::int64_t> seed;
  /// -1 asks the model for a dynamic budget; 0 turns thinking off where the model allows it.
  std::optional<std::int64_t> thinking_budget;
};

/// The stage's config section. Paths are absolute (relative ones resolve against the config folder).
struct PromptConfig {
  std::optional<std::string> system_file;
  /// Exactly one of the inline template and the template file is given.
  std::optional<std::string> user_template;
  std::optional<std::string> user_template_file;
  std::optional<std::string> response_schema_file;
  /// Overrides the MIME type implied by the schema ("application/json").
  std::optional<std::string> response_mime_type;
  GenerationConfig generation;
  /// Provider-neutral tool names.
  std::vector<std::string> tools;
  /// Provider-specific request fields, passed through (null when absent).
  Value extra;
};

/// The section's declaration.
ConfigSpec<PromptConfig> config_spec();

/// Reads a whole text file, dropping a leading UTF-8 BOM. Throws std::runtime_error
/// "<what>: cannot read \"<path>\": <reason>".
std::string read_text_file(const std::string& path, std::string_view what);

class PromptTemplate final : public RequestBuilder {
 public:
  /// Checks what the schema cannot say (exactly one template, no empty paths or MIME type), reads the
  /// system file, the template file and the response schema; throws std::runtime_error naming the key.
  PromptTemplate(const StageContext& context, PromptConfig config);

  Status bind(const std::vector<std::string>& columns) override;
  Status build(const Row& row, Request& request) override;

  /// The system instruction every request points to (null without system_file).
  const std::shared_ptr<const std::string>& system_instruction() const { return system_instruction_; }

 private:
  std::shared_ptr<const std::string> system_instruction_;
  UserTemplate user_template_;
  GenerationSettings generation_;
  std::vector<std::string> tools_;
  std::string extra_json_;
};

}  // namespace pipehost::prompt_template
