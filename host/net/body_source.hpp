// Where a request body comes from: memory, a range of a file, or a producer callback. Bodies are
// handed out in pieces so a 400 MB upload never sits in memory.
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

  /// Picks the source the request asks for (at most one of body, body_file, body_producer).
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
};

}  // namespace pipehost::net
