#include "engine/request_template.hpp"

#include <boost/json.hpp>

namespace pipehost::engine {

namespace json = boost::json;

namespace {

template <typename T>
void put(json::object& out, const char* name, const std::optional<T>& value) {
  if (value) out[name] = *value;
}

template <typename T>
void take(const json::object& in, const char* name, std::optional<T>& value) {
  if (auto* v = in.if_contains(name)) value = json::value_to<T>(*v);
}

std::shared_ptr<const std::string> shared_text(const json::object& in, const char* name) {
  auto* v = in.if_contains(name);
  return v ? std::make_shared<const std::string>(json::value_to<std::string>(*v)) : nullptr;
}

}  // namespace

std::string request_template_json(const Request& request) {
  json::object generation;
  const auto& g = request.generation;
  put(generation, "temperature", g.temperature);
  put(generation, "top_p", g.top_p);
  put(generation, "top_k", g.top_k);
  put(generation, "max_output_tokens", g.max_output_tokens);
  put(generation, "seed", g.seed);
  put(generation, "thinking_budget", g.thinking_budget);
  generation["response_mime_type"] = g.response_mime_type;
  if (g.response_schema_json) generation["response_schema_json"] = *g.response_schema_json;
  json::object out{{"generation", std::move(generation)},
                   {"tools", json::value_from(request.tools)},
                   {"extra_json", request.extra_json}};
  if (request.system_instruction) out["system_instruction"] = *request.system_instruction;
  return json::serialize(out);
}

Request request_template_from_json(std::string_view text) {
  const auto in = json::parse(text).as_object();
  Request request;
  request.system_instruction = shared_text(in, "system_instruction");
  const auto& generation = in.at("generation").as_object();
  auto& g = request.generation;
  take(generation, "temperature", g.temperature);
  take(generation, "top_p", g.top_p);
  take(generation, "top_k", g.top_k);
  take(generation, "max_output_tokens", g.max_output_tokens);
  take(generation, "seed", g.seed);
  take(generation, "thinking_budget", g.thinking_budget);
  g.response_mime_type = json::value_to<std::string>(generation.at("response_mime_type"));
  g.response_schema_json = shared_text(generation, "response_schema_json");
  request.tools = json::value_to<std::vector<std::string>>(in.at("tools"));
  request.extra_json = json::value_to<std::string>(in.at("extra_json"));
  return request;
}

}  // namespace pipehost::engine
