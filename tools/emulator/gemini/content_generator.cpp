#include "emulator/gemini/content_generator.hpp"

#include "emulator/gemini/grounding.hpp"

namespace pipehost::emulator {

namespace json = boost::json;

GeminiAnswer ContentGenerator::answer(const json::object& request, std::string_view key,
                                      std::string_view model, AnswerForm form) {
  GeminiAnswer out;
  bool grounded = wants_google_search(request);
  if (grounded && faults_.take_grounding_429()) {
    out.refused = true;
    out.error = grounding_quota_status(model, faults_.config().retry_delay_s);
    return out;
  }
  RequestDigest digest = digest_request(request, key);
  out.response = generate_content_response(digest, model, form);

  std::int64_t cached = cache_.lookup_and_remember(model, digest.prefix_hash, digest.prefix_bytes);
  if (cached > 0) {
    json::object& usage = out.response["usageMetadata"].as_object();
    usage["cachedContentTokenCount"] = cached;
    usage["cacheTokensDetails"] = json::array{json::object{{"modality", "TEXT"}, {"tokenCount", cached}}};
    cached_content_tokens_ += cached;
  }
  if (grounded) {
    json::object& candidate = out.response["candidates"].as_array()[0].as_object();
    std::string_view text = candidate.at("content").at("parts").at(0).at("text").as_string();
    std::vector<std::string> queries = web_search_queries(digest.user_text, digest.hash);
    candidate["groundingMetadata"] = grounding_metadata(queries, digest.hash, text);
    grounded_requests_ += 1;
    search_queries_ += static_cast<std::int64_t>(queries.size());
  }
  return out;
}

json::object ContentGenerator::stats_json() const {
  return json::object{{"cached_content_tokens", cached_content_tokens_.load()},
                      {"grounded_requests", grounded_requests_.load()},
                      {"search_queries", search_queries_.load()}};
}

void ContentGenerator::reset_stats() {
  cached_content_tokens_ = 0;
  grounded_requests_ = 0;
  search_queries_ = 0;
}

}  // namespace pipehost::emulator
