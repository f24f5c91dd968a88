// Where a response body goes: HttpResponse::body, a file, or a line callback. Decided once the status
// line is known (error bodies stay in memory so callers can read them).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "line_splitter.hpp"
#include "pipehost/host_services.hpp"

namespace pipehost::net {

class ResponseSink {
 public:
  /// Error bodies kept in memory when the caller asked for streaming: enough for any API error.
  static constexpr std::size_t kErrorBodyLimit = 1 << 20;

  ResponseSink(const HttpRequest& request, HttpResponse& response) : request_(request), response_(response) {}
  ~ResponseSink();
  ResponseSink(const ResponseSink&) = delete;
  ResponseSink& operator=(const ResponseSink&) = delete;

  /// Chooses the destination for a response with `status`; `discard` drops the body (redirects).
  Status begin(int status, bool discard);
  Status write(std::string_view bytes);
  /// The body is complete: delivers a last line without '\n', closes the file.
  Status finish();
  /// True once the caller has seen body data it cannot take back (a line callback ran).
  bool delivered() const { return lines_ && lines_->lines() > 0; }

 private:
  enum class Target { memory, capped_memory, file, lines, discard };

  const HttpRequest& request_;
  HttpResponse& response_;
  Target target_ = Target::memory;
  std::FILE* file_ = nullptr;
  std::optional<LineSplitter> lines_;
};

}  // namespace pipehost::net
