// The emulated Gemini model behind batch lines, inlined batch requests and generateContent: the
// deterministic answer (answers/answer_generator), plus what depends on more than the one
// request — implicit caching (prefixes seen earlier), Google Search grounding and its quota
// fault — and the Gemini stats that follow from them.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include <boost/json.hpp>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/faults/fault_injector.hpp"
#include "emulator/gemini/implicit_cache.hpp"

namespace pipehost::emulator {

/// A GenerateContentResponse, or the google.rpc.Status that refused the request.
struct GeminiAnswer {
  boost::json::object response;  // when !refused
  boost::json::object error;     // when refused: {"code","message","status","details"}
  bool refused = false;
};

class ContentGenerator {
 public:
  explicit ContentGenerator(FaultInjector& faults) : faults_(faults) {}

  /// Answers one request. Requests are remembered by the implicit cache in the order this is
  /// called (a batch calls it line by line, in input order).
  GeminiAnswer answer(const boost::json::object& request, std::string_view key, std::string_view model,
                      AnswerForm form);

  /// {"cached_content_tokens", "grounded_requests", "search_queries"} since start or reset.
  boost::json::object stats_json() const;
  void reset_stats();

 private:
  FaultInjector& faults_;
  ImplicitCache cache_;
  std::atomic<std::int64_t> cached_content_tokens_{0};
  std::atomic<std::int64_t> grounded_requests_{0};
  std::atomic<std::int64_t> search_queries_{0};
};

}  // namespace pipehost::emulator
