// Turns provider-neutral Requests into Gemini GenerateContentRequest JSON, shaped as the official
// @google/genai client sends it (camelCase; systemInstruction {"parts":[{"text":...}],"role":"user"} in
// every request; responseSchema + responseMimeType in generationConfig; web_search as googleSearch).
//
// The system instruction and the response schema are shared by every request of a run and can be
// 17 KB: they are escaped once, cached by identity, and copied per line, so writing the JSONL of
// 20,000 rows is mostly memcpy.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipehost/types.hpp"

namespace pipehost::gemini {

class RequestEncoder {
 public:
  RequestEncoder() = default;
  RequestEncoder(const RequestEncoder&) = delete;
  RequestEncoder& operator=(const RequestEncoder&) = delete;

  /// Appends the GenerateContentRequest object (the body of generateContent). Thread-safe.
  /// Throws std::invalid_argument for a request that cannot be encoded (bad schema or extra JSON).
  void append_request(std::string& out, const Request& request);
  /// Appends one batch input line: {"key":...,"request":{...}}\n. Thread-safe.
  void append_line(std::string& out, const Request& request);
  /// The exact size of append_line's output, without building the line. Thread-safe.
  std::uint64_t line_size(const Request& request);

  struct Shared;  // cached escaped forms of shared texts (defined in the .cpp)
  struct Extra;   // a parsed extra_json object

 private:
  template <class Out>
  void encode_request(Out& out, const Request& request);
  template <class Out>
  void encode_line(Out& out, const Request& request);

  std::shared_ptr<const Shared> system_instruction(const std::shared_ptr<const std::string>& text);
  std::shared_ptr<const Shared> schema(const std::shared_ptr<const std::string>& text);
  std::shared_ptr<const Extra> extra(const std::string& text);

  std::mutex mutex_;
  std::vector<std::shared_ptr<const Shared>> instructions_;
  std::vector<std::shared_ptr<const Shared>> schemas_;
  std::shared_ptr<const Extra> last_extra_;
};

}  // namespace pipehost::gemini
