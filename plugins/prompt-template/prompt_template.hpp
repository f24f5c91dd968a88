// The prompt-template RequestBuilder stage: every row becomes a Request with the shared system
// instruction (read once from a file), the user message rendered from a template, the response schema
// (read once), generation settings, tools and provider-specific extras.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/sdk.hpp"
#include "user_template.hpp"

namespace pipehost::prompt_template {

/// The stage's settings, read from its config section.
struct PromptSettings {
  /// Paths are absolute after `from_config` (relative ones resolve against the config folder).
  std::string system_file;
  /// Exactly one of the inline template and the template file is set.
  std::optional<std::string> user_template;
  std::string user_template_file;
  std::string response_schema_file;
  /// Overrides the MIME type implied by the schema ("application/json").
  std::optional<std::string> response_mime_type;
  /// Sampling settings (response schema and MIME type are filled in by the stage).
  GenerationSettings generation;
  /// Provider-neutral tool names, without duplicates.
  std::vector<std::string> tools;
  /// The `extra` object as compact JSON text (empty when absent).
  std::string extra_json;

  /// Reads a config section (JSON object text). Throws std::runtime_error naming the key and what was
  /// expected; unknown keys are errors (with a close match when there is one).
  static PromptSettings from_config(std::string_view config_json, std::string_view config_dir);
};

/// Reads a whole text file, dropping a leading UTF-8 BOM. Throws std::runtime_error
/// "<what>: cannot read \"<path>\": <reason>".
std::string read_text_file(const std::string& path, std::string_view what);

class PromptTemplate final : public RequestBuilder {
 public:
  /// JSON Schema of the config section.
  static const char* const kConfigSchema;

  explicit PromptTemplate(const StageContext& context);

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
