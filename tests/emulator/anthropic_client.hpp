// Anthropic REST calls on top of EmulatorProcess for the emulator tests (real HTTP(S) to the real
// binary), and request builders: a long cached system block, a forced tool, a JSON output format.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gemini_client.hpp"

namespace pipehost::test {

enum class AnthropicAuth { api_key_header, bearer };

class AnthropicCalls {
 public:
  explicit AnthropicCalls(const EmulatorProcess& emulator, std::string key = "test-anthropic-key",
                          AnthropicAuth auth = AnthropicAuth::bearer)
      : emulator_(emulator), key_(std::move(key)), auth_(auth) {}

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {}) const {
    HttpHeaders headers = {{"anthropic-version", "2026-10-21"}, {"Content-Type", "application/json"}};
    if (auth_ == AnthropicAuth::bearer) {
      headers.emplace_back("Authorization", "Bearer " + key_);
    } else {
      headers.emplace_back("x-api-key", key_);
    }
    return emulator_.request(method, target, body, headers);
  }

  /// POST /v1/messages/batches with `requests` (a JSON array); expects 200, returns the batch.
  json::object create_batch(const json::array& requests) const {
    HttpReply reply =
        call("POST", "/v1/messages/batches", json::serialize(json::object{{"requests", requests}}));
    if (reply.status != 200) throw std::runtime_error("batch create failed: " + reply.body);
    return parse_json(reply.body).as_object();
  }

  json::object get_batch(const std::string& id) const {
    HttpReply reply = call("GET", "/v1/messages/batches/" + id);
    if (reply.status != 200) throw std::runtime_error("batch get failed: " + reply.body);
    return parse_json(reply.body).as_object();
  }

  /// Polls GET until processing_status is "ended"; returns the batch.
  json::object wait_until_ended(const std::string& id,
                                std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      json::object batch = get_batch(id);
      if (batch.at("processing_status") == "ended") return batch;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("batch did not end: " + json::serialize(batch));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  /// GET of the batch's results_url (made relative): the JSONL lines, each parsed. Fails the test
  /// on a blank line.
  std::vector<json::object> results(const json::object& batch) const {
    std::string url = str(batch.at("results_url"));
    EXPECT_EQ(url.rfind(emulator_.base_url(), 0), 0u) << url;
    HttpReply reply = call("GET", url.substr(emulator_.base_url().size()));
    if (reply.status != 200) throw std::runtime_error("results failed: " + reply.body);
    std::vector<json::object> lines;
    std::size_t start = 0;
    while (start < reply.body.size()) {
      std::size_t end = reply.body.find('\n', start);
      if (end == std::string::npos) end = reply.body.size();
      EXPECT_GT(end, start) << "blank line in the results at byte " << start;
      if (end > start) lines.push_back(parse_json(reply.body.substr(start, end - start)).as_object());
      start = end + 1;
    }
    return lines;
  }

 private:
  const EmulatorProcess& emulator_;
  std::string key_;
  AnthropicAuth auth_;
};

/// A system text of about `tokens` emulator tokens (4 bytes each).
inline std::string long_system_text(std::size_t tokens) {
  std::string text = "You classify songs. Answer with the tool. ";
  while (text.size() < tokens * 4) text += "Consider the era, the style and the performer. ";
  text.resize(tokens * 4);
  return text;
}

/// The forced-tool params of one song request: a cached system block, one tool, tool_choice.
inline json::object song_params(int song, const std::string& system_text, const char* ttl = nullptr) {
  json::object cache_control{{"type", "ephemeral"}};
  if (ttl) cache_control["ttl"] = ttl;
  json::object schema =
      parse_json(R"({"type":"object","properties":{"genre":{"type":"string","enum":["rock","pop","jazz"]},)"
                 R"("year":{"type":"integer","minimum":1950,"maximum":2020},)"
                 R"("moods":{"type":"array","items":{"type":"string"},"maxItems":2}},)"
                 R"("required":["genre","year","moods"]})")
          .as_object();
  return {{"model", "claude-sonnet-4-5"},
          {"max_tokens", 256},
          {"system", json::array{json::object{
                         {"type", "text"}, {"text", system_text}, {"cache_control", cache_control}}}},
          {"tools", json::array{json::object{{"name", "classify"}, {"input_schema", schema}}}},
          {"tool_choice", json::object{{"type", "tool"}, {"name", "classify"}}},
          {"messages",
           json::array{json::object{{"role", "user"}, {"content", "Title: Song " + std::to_string(song)}}}}};
}

/// `count` requests "song-0".. with song_params.
inline json::array song_requests(int count, const std::string& system_text, const char* ttl = nullptr,
                                 const std::string& prefix = "song-") {
  json::array requests;
  for (int i = 0; i < count; ++i) {
    requests.push_back(json::object{{"custom_id", prefix + std::to_string(i)},
                                    {"params", song_params(i, system_text, ttl)}});
  }
  return requests;
}

}  // namespace pipehost::test
