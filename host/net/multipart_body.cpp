#include "multipart_body.hpp"

#include <random>
#include <string_view>

namespace pipehost::net {
namespace {

/// In-memory part bodies up to this size are copied next to their headers and sent in one write.
constexpr std::size_t kSmallBody = 64 * 1024;

/// 32 characters from 62: about 190 random bits, far below RFC 2046's 70-character limit.
std::string random_boundary() {
  static constexpr std::string_view kAlphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string out = "pipehost-";
  for (int i = 0; i < 32; ++i) out += kAlphabet[pick(engine)];
  return out;
}

bool has_any(std::string_view text, std::string_view characters) {
  return text.find_first_of(characters) != std::string_view::npos;
}

const std::string_view kLineBreakOrNul("\r\n\0", 3);

/// A file name as browsers send it (WHATWG "multipart/form-data encoding"): a quote, CR and LF
/// percent-encoded so they cannot end the quoted string or the header line.
std::string escaped_filename(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '"') {
      out += "%22";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

/// The delimiter line and headers that open `part` (without the leading CRLF of the delimiter).
Status part_head(const MultipartPart& part, const std::string& boundary, std::string& out) {
  // A field name is the program's own constant: an odd one is a bug, refused rather than rewritten.
  if (part.name.empty()) return Status::fatal("a multipart part has no name");
  if (has_any(part.name, kLineBreakOrNul) || has_any(part.name, "\"\\")) {
    return Status::fatal("multipart part name '" + escaped_filename(part.name) +
                         "' has a quote, backslash, line break or NUL");
  }
  if (part.filename.find('\0') != std::string::npos) {
    return Status::fatal("multipart part '" + part.name + "' has a NUL in its file name");
  }
  if (has_any(part.content_type, kLineBreakOrNul)) {
    return Status::fatal("multipart part '" + part.name + "' has a line break or NUL in its content type");
  }
  if (!part.body.empty() && !part.body_file.empty()) {
    return Status::fatal("multipart part '" + part.name + "' has both body and body_file");
  }
  out += "--" + boundary + "\r\n";
  out += "Content-Disposition: form-data; name=\"" + part.name + "\"";
  bool is_file = !part.filename.empty();
  if (is_file) out += "; filename=\"" + escaped_filename(part.filename) + "\"";
  out += "\r\n";
  // RFC 7578 §4.4: text/plain is the default for a field; a file says what it is.
  std::string type = part.content_type;
  if (type.empty() && is_file) type = "application/octet-stream";
  if (!type.empty()) out += "Content-Type: " + type + "\r\n";
  out += "\r\n";
  return Status::ok();
}

/// Sources sent one after the other.
class ConcatenatedBody final : public BodySource {
 public:
  ConcatenatedBody(std::vector<std::unique_ptr<BodySource>> pieces, std::string content_type)
      : pieces_(std::move(pieces)), content_type_(std::move(content_type)) {
    for (const auto& piece : pieces_) length_ += piece->length().value_or(0);
  }

  std::optional<std::uint64_t> length() const override { return length_; }

  Status next(std::string_view& piece) override {
    piece = {};
    while (current_ < pieces_.size()) {
      Status status = pieces_[current_]->next(piece);
      if (!status.is_ok()) return status;
      if (!piece.empty()) return Status::ok();
      ++current_;
    }
    return Status::ok();
  }

  Status rewind() override {
    for (auto& piece : pieces_) {
      Status status = piece->rewind();
      if (!status.is_ok()) return status;
    }
    current_ = 0;
    return Status::ok();
  }

  bool replayable() const override { return true; }
  std::string content_type() const override { return content_type_; }

 private:
  std::vector<std::unique_ptr<BodySource>> pieces_;
  std::string content_type_;
  std::uint64_t length_ = 0;
  std::size_t current_ = 0;
};

}  // namespace

std::string pick_boundary(const std::vector<MultipartPart>& parts,
                          const std::function<std::string()>& candidate) {
  while (true) {
    std::string boundary = candidate();
    bool clash = false;
    for (const auto& part : parts) {
      for (const std::string* text : {&part.name, &part.filename, &part.content_type, &part.body}) {
        clash = clash || text->find(boundary) != std::string::npos;
      }
    }
    if (!clash) return boundary;
  }
}

Status multipart_body(const std::vector<MultipartPart>& parts, std::unique_ptr<BodySource>& out) {
  std::string boundary = pick_boundary(parts, random_boundary);
  // Text between large contents is gathered into one owned piece (fewer, fuller writes); large
  // in-memory bodies are viewed, not copied; files are opened now so their sizes make the length.
  std::vector<std::unique_ptr<BodySource>> pieces;
  std::string text;
  auto flush_text = [&] {
    if (!text.empty()) pieces.push_back(owned_memory_body(std::move(text)));
    text.clear();
  };
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const MultipartPart& part = parts[i];
    if (i > 0) text += "\r\n";
    Status head = part_head(part, boundary, text);
    if (!head.is_ok()) return head;
    if (!part.body_file.empty()) {
      std::unique_ptr<BodySource> file;
      Status opened = file_body(part.body_file, 0, std::nullopt, file);
      if (!opened.is_ok()) return opened.with_context("multipart part '" + part.name + "'");
      flush_text();
      pieces.push_back(std::move(file));
    } else if (part.body.size() <= kSmallBody) {
      text += part.body;
    } else {
      flush_text();
      pieces.push_back(memory_body(part.body));
    }
  }
  text += "\r\n--" + boundary + "--\r\n";
  flush_text();
  out = std::make_unique<ConcatenatedBody>(std::move(pieces), "multipart/form-data; boundary=" + boundary);
  return Status::ok();
}

}  // namespace pipehost::net
