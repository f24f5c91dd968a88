#include "emulator/openai/multipart.hpp"

#include <cctype>
#include <stdexcept>
#include <strings.h>

namespace pipehost::emulator::openai {

namespace {

constexpr std::size_t kMaxHeaderBlock = 16 * 1024;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

/// The value of `name=` in a header like `form-data; name="file"; filename="in.jsonl"` (quoted
/// or bare; empty when absent).
std::string header_parameter(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while (at < header.size()) {
    auto semicolon = header.find(';', at);
    if (semicolon == std::string_view::npos) break;
    std::string_view rest = trim(header.substr(semicolon + 1));
    auto eq = rest.find('=');
    at = semicolon + 1;
    if (eq == std::string_view::npos || !iequals(trim(rest.substr(0, eq)), name)) continue;
    std::string_view value = trim(rest.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      std::string out;
      for (std::size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out.push_back(value[i]);
      }
      return out;
    }
    return std::string(value.substr(0, value.find(';')));
  }
  return {};
}

}  // namespace

MultipartParser::MultipartParser(std::string boundary, Callbacks callbacks)
    : delimiter_("\r\n--" + boundary), callbacks_(std::move(callbacks)) {
  if (boundary.empty()) throw std::invalid_argument("multipart/form-data without a boundary");
}

void MultipartParser::parse_headers(std::string_view block) {
  MultipartPart part;
  while (!block.empty()) {
    auto end = block.find("\r\n");
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      part.name = header_parameter(value, "name");
      part.filename = header_parameter(value, "filename");
    } else if (iequals(name, "Content-Type")) {
      part.content_type = std::string(value);
    }
  }
  if (part.name.empty()) throw std::invalid_argument("a multipart part has no Content-Disposition name");
  callbacks_.begin_part(part);
}

void MultipartParser::feed(std::string_view bytes) {
  pending_.append(bytes);
  for (;;) {
    switch (state_) {
      case State::preamble: {
        // The first delimiter may start the body, so it is looked for without its CRLF.
        std::string_view first = std::string_view(delimiter_).substr(2);
        auto at = pending_.find(first);
        if (at == std::string::npos) {
          if (pending_.size() >= first.size()) pending_.erase(0, pending_.size() - first.size() + 1);
          return;
        }
        pending_.erase(0, at + first.size());
        state_ = State::after_delimiter;
        break;
      }
      case State::after_delimiter: {
        // "--" closes the body, CRLF starts the next part (transport padding is allowed before it).
        std::size_t skip = 0;
        while (skip < pending_.size() && (pending_[skip] == ' ' || pending_[skip] == '\t')) ++skip;
        if (pending_.size() < skip + 2) return;
        std::string_view next = std::string_view(pending_).substr(skip, 2);
        if (next == "--") {
          state_ = State::done;
          pending_.clear();
          return;
        }
        if (next != "\r\n") throw std::invalid_argument("malformed multipart boundary line");
        pending_.erase(0, skip + 2);
        state_ = State::headers;
        break;
      }
      case State::headers: {
        auto end = pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (pending_.size() > kMaxHeaderBlock)
            throw std::invalid_argument("multipart part headers too long");
          return;
        }
        parse_headers(std::string_view(pending_).substr(0, end));
        pending_.erase(0, end + 4);
        state_ = State::body;
        break;
      }
      case State::body: {
        auto at = pending_.find(delimiter_);
        if (at == std::string::npos) {
          // Keep a tail that could be the start of the delimiter; the rest is the part's data.
          if (pending_.size() >= delimiter_.size()) {
            std::size_t safe = pending_.size() - delimiter_.size() + 1;
            callbacks_.part_data(std::string_view(pending_).substr(0, safe));
            pending_.erase(0, safe);
          }
          return;
        }
        if (at > 0) callbacks_.part_data(std::string_view(pending_).substr(0, at));
        callbacks_.end_part();
        pending_.erase(0, at + delimiter_.size());
        state_ = State::after_delimiter;
        break;
      }
      case State::done:
        pending_.clear();  // the epilogue is ignored
        return;
    }
  }
}

std::string multipart_boundary(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semicolon)), "multipart/form-data")) return {};
  return header_parameter(content_type, "boundary");
}

}  // namespace pipehost::emulator::openai
