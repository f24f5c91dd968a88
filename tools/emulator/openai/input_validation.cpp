#include "emulator/openai/input_validation.hpp"

#include <fstream>
#include <unordered_set>

#include <boost/json.hpp>

namespace pipehost::emulator::openai {

namespace json = boost::json;

namespace {

const json::string* string_member(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : it->value().if_string();
}

}  // namespace

InputValidation validate_input(const std::filesystem::path& path, const std::string& endpoint) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  InputValidation result;
  std::unordered_set<std::string> custom_ids;
  auto fail = [&](std::string code, std::int64_t line, std::string message,
                  std::optional<std::string> param) {
    if (result.errors.size() < kMaxReportedErrors)
      result.errors.push_back({std::move(code), line, std::move(message), std::move(param)});
  };

  std::string text;
  std::int64_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    ++result.requests;
    json::monotonic_resource resource;
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec, &resource);
    const json::object* request = ec ? nullptr : parsed.if_object();
    if (!request) {
      fail("invalid_json_line", line, "This line is not parseable as valid JSON.", std::nullopt);
      continue;
    }
    const json::string* custom_id = string_member(*request, "custom_id");
    if (!custom_id) {
      fail("missing_required_parameter", line, "Missing required parameter: 'custom_id'.", "custom_id");
    } else if (!custom_ids.emplace(*custom_id).second) {
      fail(
          "duplicate_custom_id", line,
          "The custom_id for this request is a duplicate of another request. The custom_id parameter must be "
          "unique for each request in a batch.",
          "custom_id");
    }
    const json::string* method = string_member(*request, "method");
    if (!method || *method != "POST")
      fail("invalid_method", line, "The method for this request must be POST.", "method");
    const json::string* url = string_member(*request, "url");
    if (!url || *url != endpoint)
      fail("url_mismatch", line, "The URL provided for this request does not match the batch endpoint.",
           "url");
    auto body = request->find("body");
    if (body == request->end() || !body->value().is_object()) {
      fail("missing_required_parameter", line, "Missing required parameter: 'body'.", "body");
      continue;
    }
    const json::string* model = string_member(body->value().get_object(), "model");
    if (!model || model->empty()) {
      fail("missing_required_parameter", line, "Missing required parameter: 'body.model'.", "body.model");
    } else if (result.model.empty()) {
      result.model = std::string(*model);
    } else if (*model != result.model) {
      fail("model_mismatch", line,
           "The provided model '" + std::string(*model) + "' does not match the model '" + result.model +
               "' of the other requests: each input file may contain requests for a single model only.",
           "body.model");
    }
  }
  if (result.requests == 0) fail("empty_file", 0, "The batch input file is empty.", std::nullopt);
  if (result.requests > kMaxBatchRequests) {
    fail("too_many_tasks", 0,
         "The batch input file has " + std::to_string(result.requests) +
             " requests; a batch may have at most 50,000.",
         std::nullopt);
  }
  for (auto& error : result.errors) {
    if (error.line == 0) error.line.reset();  // file-level errors carry no line
  }
  return result;
}

}  // namespace pipehost::emulator::openai
