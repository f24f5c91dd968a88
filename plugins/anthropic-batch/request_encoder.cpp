#include "request_encoder.hpp"

#include "pipehost/value.hpp"

namespace pipehost::anthropic {

namespace {

void append_cache_control(std::string& out, const std::string& ttl) {
  out += R"(,"cache_control":{"type":"ephemeral","ttl":)";
  append_json_string(out, ttl);
  out += '}';
}

Status check_schema(const std::string& schema_json, Value& schema) {
  std::string error;
  if (!parse_json(schema_json, schema, error))
    return Status::fatal("the response schema is not valid JSON: " + error);
  const Value* type = schema.is_object() ? schema.find("type") : nullptr;
  if (!type || !type->is_string() || type->as_string() != "object")
    return Status::fatal(
        "the response schema's root must be {\"type\": \"object\", ...}: anthropic-batch enforces it as "
        "the input of a forced tool, which is always an object");
  return Status::ok();
}

}  // namespace

Status RequestEncoder::shared_part(const Request& request, std::shared_ptr<const std::string>& part) const {
  const auto& system = request.system_instruction;
  const auto& schema_json = request.generation.response_schema_json;
  {
    std::lock_guard lock(mutex_);
    if (cached_part_ && cached_system_ == system && cached_schema_ == schema_json) {
      part = cached_part_;
      return Status::ok();
    }
  }
  bool has_system = system && !system->empty();
  std::string out;
  if (has_system) {
    out += R"(,"system":[{"type":"text","text":)";
    append_json_string(out, *system);
    if (config_.cache_system) append_cache_control(out, config_.cache_ttl);
    out += "}]";
  }
  if (schema_json) {
    Value schema;
    if (Status checked = check_schema(*schema_json, schema); !checked) return checked;
    out += R"(,"tools":[{"name":)";
    append_json_string(out, kAnswerTool);
    out +=
        R"(,"description":"Give the answer. The input of this tool is the whole answer, in the required structure.","input_schema":)";
    write_json(schema, out);
    if (config_.cache_system && !has_system) append_cache_control(out, config_.cache_ttl);
    out += R"(}],"tool_choice":{"type":"tool","name":)";
    append_json_string(out, kAnswerTool);
    out += '}';
  }
  part = std::make_shared<const std::string>(std::move(out));
  std::lock_guard lock(mutex_);
  cached_system_ = system;
  cached_schema_ = schema_json;
  cached_part_ = part;
  return Status::ok();
}

Status RequestEncoder::own_parts(const Request& request, std::string& head, std::string& tail) const {
  if (!request.tools.empty()) {
    return Status::fatal("anthropic-batch does not offer the tool \"" + request.tools.front() +
                         "\" (its answers are a forced structured tool, which excludes server tools); "
                         "remove it from the request's tools");
  }
  const auto& g = request.generation;
  if (g.thinking_budget && *g.thinking_budget > 0 && g.response_schema_json)
    return Status::fatal(
        "thinking_budget cannot be combined with a response schema here: the API does not allow extended "
        "thinking with a forced tool");
  head = R"({"model":)";
  append_json_string(head, config_.model);
  head += R"(,"max_tokens":)";
  append_json_number(head, g.max_output_tokens.value_or(config_.max_tokens));
  if (g.temperature) {
    head += R"(,"temperature":)";
    append_json_number(head, *g.temperature);
  }
  if (g.top_p) {
    head += R"(,"top_p":)";
    append_json_number(head, *g.top_p);
  }
  if (g.top_k) {
    head += R"(,"top_k":)";
    append_json_number(head, *g.top_k);
  }
  if (g.thinking_budget && *g.thinking_budget > 0) {
    head += R"(,"thinking":{"type":"enabled","budget_tokens":)";
    append_json_number(head, *g.thinking_budget);
    head += '}';
  }
  // seed has no Anthropic counterpart; it is left out.
  tail = R"(,"messages":[{"role":"user","content":)";
  if (request.user_parts.size() == 1) {
    append_json_string(tail, request.user_parts.front());
  } else {
    tail += '[';
    for (std::size_t i = 0; i < request.user_parts.size(); ++i) {
      if (i) tail += ',';
      tail += R"({"type":"text","text":)";
      append_json_string(tail, request.user_parts[i]);
      tail += '}';
    }
    tail += ']';
  }
  tail += "}]}";
  return Status::ok();
}

Status RequestEncoder::append_params(std::string& out, const Request& request) const {
  std::string head, tail;
  if (Status own = own_parts(request, head, tail); !own) return own;
  std::shared_ptr<const std::string> shared;
  if (Status built = shared_part(request, shared); !built) return built;
  if (request.extra_json.empty() || request.extra_json.find_first_not_of(" \t\r\n") == std::string::npos) {
    out += head;
    out += *shared;
    out += tail;
    return Status::ok();
  }
  // Provider-specific fields: added to the body, replacing ours of the same name.
  Value extra, params;
  std::string error;
  if (!parse_json(request.extra_json, extra, error) || !extra.is_object())
    return Status::fatal("extra_json must be a JSON object" + (error.empty() ? "" : ": " + error));
  if (!parse_json(head + *shared + tail, params, error))
    return Status::fatal("internal error: the request body is not JSON: " + error);
  for (std::size_t i = 0; i < extra.size(); ++i) params.set(extra.key(i), extra[i]);
  write_json(params, out);
  return Status::ok();
}

Status RequestEncoder::append_batch_item(std::string& out, const std::string& custom_id,
                                         const Request& request) const {
  out += R"({"custom_id":)";
  append_json_string(out, custom_id);
  out += R"(,"params":)";
  if (Status params = append_params(out, request); !params) return params;
  out += '}';
  return Status::ok();
}

Status RequestEncoder::batch_item_size(const std::string& custom_id, const Request& request,
                                       std::uint64_t& bytes) const {
  constexpr std::size_t kEnvelope = sizeof(R"({"custom_id":,"params":})") - 1;
  if (!request.extra_json.empty()) {
    std::string item;
    if (Status built = append_batch_item(item, custom_id, request); !built) return built;
    bytes = item.size();
    return Status::ok();
  }
  std::string head, tail;
  if (Status own = own_parts(request, head, tail); !own) return own;
  std::shared_ptr<const std::string> shared;
  if (Status built = shared_part(request, shared); !built) return built;
  bytes = kEnvelope + json_string_size(custom_id) + head.size() + shared->size() + tail.size();
  return Status::ok();
}

}  // namespace pipehost::anthropic
