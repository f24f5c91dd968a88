// A streaming multipart/form-data parser (RFC 7578), fed the request body as it arrives, so a
// 200 MB upload goes to disk without sitting in memory. It does not care how the body was framed
// on the wire: the official Node client sends either a Content-Length body (FormData) or, for
// fs.createReadStream uploads, a Transfer-Encoding: chunked body with its own "openai-..." boundary.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace pipehost::emulator::openai {

struct MultipartPart {
  std::string name;          // Content-Disposition name="..."
  std::string filename;      // Content-Disposition filename="..." (empty for plain fields)
  std::string content_type;  // the part's Content-Type, if any
};

class MultipartParser {
 public:
  struct Callbacks {
    std::function<void(const MultipartPart&)> begin_part;
    std::function<void(std::string_view)> part_data;  // the part's bytes, in pieces
    std::function<void()> end_part;
  };

  MultipartParser(std::string boundary, Callbacks callbacks);

  /// Consumes the next bytes of the body. Throws std::invalid_argument on a malformed body.
  void feed(std::string_view bytes);
  /// True once the closing boundary ("--BOUNDARY--") has been seen.
  bool finished() const { return state_ == State::done; }

 private:
  enum class State { preamble, after_delimiter, headers, body, done };
  void parse_headers(std::string_view block);

  std::string delimiter_;  // "\r\n--BOUNDARY"
  Callbacks callbacks_;
  State state_ = State::preamble;
  std::string pending_;  // bytes not consumed yet
};

/// The boundary of a "multipart/form-data; boundary=..." Content-Type, or empty when the type is
/// not multipart/form-data or has no boundary.
std::string multipart_boundary(std::string_view content_type);

}  // namespace pipehost::emulator::openai
