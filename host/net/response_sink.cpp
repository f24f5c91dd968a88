#include "response_sink.hpp"

#include <algorithm>
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
  } else if (resume_ && resume_->resuming()) {
    // Lines were delivered already: only the rest of the same body may follow them.
    LineResume::Plan plan;
    Status planned = resume_->resumed(response_, plan);
    if (!planned.is_ok()) return planned;
    if (!plan.lines) {
      target_ = Target::capped_memory;
      return Status::ok();
    }
    target_ = Target::lines;
    lines_.emplace(request_.on_response_line);
    tracking_ = true;
    skip_ = plan.skip;
    base_ = plan.base;
    // body_bytes counts the body once, as if it had come in one piece.
    response_.body_bytes = plan.base - resume_->origin();
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
    if (resume_ && status / 100 == 2) {
      tracking_ = true;
      base_ = resume_->fresh(response_).base;
    }
  }
  return Status::ok();
}

Status ResponseSink::write(std::string_view bytes) {
  if (skip_ > 0) {
    auto dropped = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size()));
    skip_ -= dropped;
    bytes.remove_prefix(dropped);
  }
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
    case Target::lines: {
      Status fed = lines_->feed(bytes);
      if (tracking_) resume_->advance(base_ + lines_->consumed());
      return fed;
    }
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
  if (skip_ > 0) {
    return Status::fatal("resuming the line download: the server ignored the Range header and sent a body " +
                         std::to_string(skip_) + " bytes shorter than what was already delivered");
  }
  if (lines_) return lines_->finish();
  return Status::ok();
}

}  // namespace pipehost::net
