// Where a request body comes from: memory, a range of a file, a producer callback, or a
// multipart/form-data body made of those. Bodies are handed out in pieces so a 400 MB upload never
// sits in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pipehost/host_services.hpp"

namespace pipehost::net {

class BodySource {
 public:
  virtual ~BodySource() = default;

  /// Picks the source the request asks for (at most one of body, body_file, body_producer, multipart).
  static Status open(const HttpRequest& request, std::unique_ptr<BodySource>& out);

  /// Total bytes when known (sent as Content-Length); nullopt means chunked transfer encoding.
  virtual std::optional<std::uint64_t> length() const = 0;
  /// The next piece; empty at the end. The view stays valid until the next call.
  virtual Status next(std::string_view& piece) = 0;
  /// Starts over for a retry or redirect; fatal when the source cannot be replayed (a producer that
  /// has already handed out data).
  virtual Status rewind() = 0;
  /// True when `rewind` will succeed.
  virtual bool replayable() const = 0;
  /// The Content-Type the body dictates (multipart: with its boundary); empty when the caller's
  /// header stands.
  virtual std::string content_type() const { return {}; }
};

/// `bytes` in one piece; the viewed memory must outlive the source.
std::unique_ptr<BodySource> memory_body(std::string_view bytes);
/// `bytes` in one piece, owned by the source.
std::unique_ptr<BodySource> owned_memory_body(std::string bytes);
/// `path[offset, offset + length)` (to the end of the file when `length` is unset), read in pieces.
Status file_body(const std::string& path, std::uint64_t offset, std::optional<std::uint64_t> length,
                 std::unique_ptr<BodySource>& out);

}  // namespace pipehost::net
