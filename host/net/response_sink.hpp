// Where a response body goes: HttpResponse::body, a file, or a line callback. Decided once the status
// line is known (error bodies stay in memory so callers can read them).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "line_resume.hpp"
#include "line_splitter.hpp"
#include "pipehost/host_services.hpp"

namespace pipehost::net {

class ResponseSink {
 public:
  /// Error bodies kept in memory when the caller asked for streaming: enough for any API error.
  static constexpr std::size_t kErrorBodyLimit = 1 << 20;

  /// `resume` (when the request has `resume_lines`) learns how far the delivered lines reach and
  /// decides how an answer to a resumed request is taken; it outlives the sink.
  ResponseSink(const HttpRequest& request, HttpResponse& response, LineResume* resume = nullptr)
      : request_(request), response_(response), resume_(resume) {}
  ~ResponseSink();
  ResponseSink(const ResponseSink&) = delete;
  ResponseSink& operator=(const ResponseSink&) = delete;

  /// Chooses the destination for a response with `status` (its headers are in the response);
  /// `discard` drops the body (redirects).
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
  LineResume* resume_ = nullptr;
  /// The line stream's progress is reported to `resume_`.
  bool tracking_ = false;
  /// Bytes still to drop before the lines (a resumed request answered with the whole body).
  std::uint64_t skip_ = 0;
  /// Offset in the whole body of the first byte fed to `lines_`.
  std::uint64_t base_ = 0;
};

}  // namespace pipehost::net
