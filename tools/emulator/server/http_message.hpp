// What a route handler sees and returns. Request bodies are streamed (an upload of hundreds of MB
// never sits in memory) and responses can stream a file from disk, optionally cut short to
// emulate a broken transfer.
#pragma once

#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipehost::emulator {

/// A request body, read as it arrives on the connection.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  /// Reads up to `size` bytes into `data`; returns 0 once the body is complete.
  /// Throws std::system_error when the connection fails.
  virtual std::size_t read_some(char* data, std::size_t size) = 0;
  virtual bool complete() const = 0;
  /// The Content-Length the client announced, if any.
  virtual std::optional<std::uint64_t> content_length() const = 0;
  /// Reads the whole body; throws HttpError(413) when it is larger than `limit`.
  std::string read_all(std::size_t limit = 256u << 20);
};

/// An error a handler reports as an HTTP status; each API turns it into its own body shape.
struct HttpError : std::exception {
  HttpError(unsigned status, std::string status_name, std::string message)
      : status(status), status_name(std::move(status_name)), message(std::move(message)) {}
  const char* what() const noexcept override { return message.c_str(); }
  unsigned status;
  std::string status_name;  // google.rpc code name, e.g. "INVALID_ARGUMENT"
  std::string message;
};

/// Thrown by a handler to drop the connection at once (TCP reset), e.g. mid-upload.
struct DropConnection : std::exception {
  const char* what() const noexcept override { return "connection dropped on purpose"; }
};

struct Request {
  std::string method;                                     // "GET", "POST", ...
  std::string target;                                     // raw request target
  std::string path;                                       // target without the query, percent-decoded
  std::map<std::string, std::string, std::less<>> query;  // decoded; last value wins
  std::vector<std::pair<std::string, std::string>> headers;
  BodyReader* body = nullptr;

  /// Case-insensitive header lookup; empty when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  std::string query_value(std::string_view name) const;
  bool has_query(std::string_view name) const { return query.find(name) != query.end(); }
};

struct Response {
  enum class Ending {
    complete,  // send everything
    truncate,  // send about half of the body, then close the connection normally (FIN)
    reset,     // send about half of the body, then reset the connection (RST)
  };
  struct FileSlice {
    std::filesystem::path path;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
  };

  unsigned status = 200;
  std::string content_type = "application/json; charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<FileSlice> file;  // when set, streamed instead of `body`
  Ending ending = Ending::complete;
  bool close = false;

  static Response json(unsigned status, std::string body);
  Response& with_header(std::string name, std::string value);
  std::uint64_t body_size() const { return file ? file->size : body.size(); }
};

/// "%41" → "A"; '+' stays '+' (paths) unless `plus_is_space` (query strings).
std::string percent_decode(std::string_view text, bool plus_is_space);
/// Splits a request target into a decoded path and query map.
void parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string, std::less<>>& query);

}  // namespace pipehost::emulator
