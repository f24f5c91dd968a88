#include "response_sink.hpp"

#include <cerrno>
#include <cstring>

namespace pipehost::net {

ResponseSink::~ResponseSink() {
  if (file_) std::fclose(file_);
}

Status ResponseSink::begin(int status, bool discard) {
  bool streamed = !request_.response_file.empty() || request_.on_response_line;
  bool stream = streamed && (!request_.stream_only_success || status / 100 == 2);
  if (discard) {
    target_ = Target::discard;
  } else if (!stream) {
    target_ = streamed ? Target::capped_memory : Target::memory;
  } else if (!request_.response_file.empty()) {
    target_ = Target::file;
    file_ = std::fopen(request_.response_file.c_str(), "wb");
    if (!file_) {
      return Status::fatal("cannot create response file '" + request_.response_file +
                           "': " + std::strerror(errno));
    }
  } else {
    target_ = Target::lines;
    lines_.emplace(request_.on_response_line);
  }
  return Status::ok();
}

Status ResponseSink::write(std::string_view bytes) {
  response_.body_bytes += bytes.size();
  switch (target_) {
    case Target::memory:
      response_.body.append(bytes);
      break;
    case Target::capped_memory:
      if (response_.body.size() < kErrorBodyLimit) {
        response_.body.append(bytes.substr(0, kErrorBodyLimit - response_.body.size()));
      }
      break;
    case Target::file:
      if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
        return Status::fatal("cannot write response file '" + request_.response_file +
                             "': " + std::strerror(errno));
      }
      break;
    case Target::lines:
      return lines_->feed(bytes);
    case Target::discard:
      break;
  }
  return Status::ok();
}

Status ResponseSink::finish() {
  if (file_) {
    bool ok = std::fflush(file_) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok) {
      return Status::fatal("cannot write response file '" + request_.response_file +
                           "': " + std::strerror(errno));
    }
  }
  if (lines_) return lines_->finish();
  return Status::ok();
}

}  // namespace pipehost::net
