#include "line_splitter.hpp"

namespace pipehost::net {

Status LineSplitter::deliver(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++lines_;
  stopped_ = on_line_(line);
  return stopped_;
}

Status LineSplitter::feed(std::string_view bytes) {
  if (!stopped_.is_ok()) return stopped_;
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(bytes);
      return Status::ok();
    }
    consumed_ += partial_.size() + newline + 1;
    Status status;
    if (partial_.empty()) {
      // Common case: the whole line is inside this piece, hand it over without copying.
      status = deliver(bytes.substr(0, newline));
    } else {
      partial_.append(bytes.substr(0, newline));
      status = deliver(partial_);
      partial_.clear();
    }
    if (!status.is_ok()) return status;
    bytes.remove_prefix(newline + 1);
  }
  return Status::ok();
}

Status LineSplitter::finish() {
  if (!stopped_.is_ok()) return stopped_;
  if (partial_.empty()) return Status::ok();
  Status status = deliver(partial_);
  partial_.clear();
  return status;
}

}  // namespace pipehost::net
