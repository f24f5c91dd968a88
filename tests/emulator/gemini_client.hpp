// Small helpers the emulator tests share: a Gemini REST caller on top of EmulatorProcess, and
// JSON access. Everything goes through real HTTP(S) to a real emulator process.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"

namespace pipehost::test {

namespace json = boost::json;

inline json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) throw std::runtime_error("not JSON: " + text.substr(0, 300));
  return value;
}

/// A JSON value as text: strings without quotes, anything else serialized.
inline std::string str(const json::value& value) {
  return value.is_string() ? std::string(value.get_string()) : json::serialize(value);
}

class GeminiCalls {
 public:
  explicit GeminiCalls(const EmulatorProcess& emulator, std::string key = "test-gemini-key")
      : emulator_(emulator), key_(std::move(key)) {}

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {},
                 HttpHeaders headers = {}) const {
    headers.emplace_back("x-goog-api-key", key_);
    headers.emplace_back("Content-Type", "application/json");
    return emulator_.request(method, target, body, headers);
  }

  /// Resumable upload start; returns the path+query of the upload URL.
  std::string start_upload(std::size_t size, const std::string& display_name = "input") const {
    HttpReply reply =
        call("POST", "/upload/v1beta/files", R"({"file":{"displayName":")" + display_name + R"("}})",
             {{"X-Goog-Upload-Protocol", "resumable"},
              {"X-Goog-Upload-Command", "start"},
              {"X-Goog-Upload-Header-Content-Length", std::to_string(size)},
              {"X-Goog-Upload-Header-Content-Type", "application/jsonl"}});
    EXPECT_EQ(reply.status, 200u) << reply.body;
    std::string url = reply.header("x-goog-upload-url");
    EXPECT_EQ(url.rfind(emulator_.base_url(), 0), 0u) << url;
    return url.substr(emulator_.base_url().size());
  }

  HttpReply upload_chunk(const std::string& upload_path, const std::string& bytes, std::size_t offset,
                         const std::string& command) const {
    return emulator_.request("POST", upload_path, bytes,
                             {{"X-Goog-Upload-Command", command},
                              {"X-Goog-Upload-Offset", std::to_string(offset)},
                              {"Content-Type", "application/json"}});
  }

  /// Uploads `content` in one finalize chunk; returns "files/<id>".
  std::string upload(const std::string& content, const std::string& display_name = "input") const {
    std::string path = start_upload(content.size(), display_name);
    HttpReply reply = upload_chunk(path, content, 0, "upload, finalize");
    EXPECT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.header("x-goog-upload-status"), "final");
    return std::string(parse_json(reply.body).at("file").at("name").as_string());
  }

  HttpReply create_batch(const std::string& file_name, const std::string& display_name,
                         const std::string& model = "gemini-2.5-flash") const {
    return call("POST", "/v1beta/models/" + model + ":batchGenerateContent",
                R"({"batch":{"displayName":")" + display_name + R"(","inputConfig":{"fileName":")" +
                    file_name + R"("}}})");
  }

  /// Polls GET until the batch is terminal; returns the last Operation.
  json::object wait_for_batch(const std::string& name,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      HttpReply reply = call("GET", "/v1beta/" + name);
      if (reply.status != 200) throw std::runtime_error("batch get failed: " + reply.body);
      json::object operation = parse_json(reply.body).as_object();
      if (operation.contains("done") && operation.at("done").as_bool()) return operation;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("batch did not finish: " + reply.body);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  const EmulatorProcess& emulator_;
  std::string key_;
};

/// A JSONL batch input: `count` lines with keys "k0".., each with a system instruction and schema.
inline std::string songs_input(int count,
                               const std::string& system_text = "Classify the song. Answer JSON.") {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out +=
        R"({"key":"k)" + std::to_string(i) +
        R"(","request":{"contents":[{"role":"user","parts":[{"text":"Title: Song )" + std::to_string(i) +
        R"("}]}],"systemInstruction":{"parts":[{"text":")" + system_text +
        R"("}]},"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"genre":{"type":"STRING","enum":["rock","pop","jazz"]},"moods":{"type":"ARRAY","items":{"type":"STRING"},"maxItems":2},"year":{"type":"INTEGER","minimum":1950,"maximum":2020}},"required":["genre","moods"]}}}})" +
        "\n";
  }
  return out;
}

}  // namespace pipehost::test
