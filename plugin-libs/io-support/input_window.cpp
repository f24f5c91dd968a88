#include "io_support/input_window.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace pipehost::io {

InputWindow::InputWindow(std::unique_ptr<ByteInput> input, std::size_t initial_bytes, std::size_t max_bytes)
    : input_(std::move(input)),
      buffer_(std::make_unique_for_overwrite<char[]>(std::max<std::size_t>(initial_bytes, 1))),
      capacity_(std::max<std::size_t>(initial_bytes, 1)),
      max_bytes_(std::max(max_bytes, capacity_)) {}

bool InputWindow::fill_more() {
  if (eof_) throw std::logic_error("InputWindow::fill_more called after the end of the input");
  std::size_t unconsumed = end_ - begin_;
  if (unconsumed == capacity_) {
    if (capacity_ >= max_bytes_) return false;
    std::size_t grown = std::min(capacity_ * 2, max_bytes_);
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    std::memcpy(bigger.get(), buffer_.get() + begin_, unconsumed);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  } else if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, unconsumed);
  }
  consumed_before_buffer_ += begin_;
  begin_ = 0;
  end_ = unconsumed;

  std::size_t n = input_->read(buffer_.get() + end_, capacity_ - end_);
  if (n == 0) eof_ = true;
  end_ += n;
  return true;
}

void skip_byte_order_mark(InputWindow& window) {
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  while (static_cast<std::size_t>(window.end() - window.begin()) < kByteOrderMark.size() && !window.eof()) {
    window.fill_more();  // cannot fail: fewer bytes than any buffer holds
  }
  std::string_view start(window.begin(), static_cast<std::size_t>(window.end() - window.begin()));
  if (start.starts_with(kByteOrderMark)) window.consume_to(window.begin() + kByteOrderMark.size());
}

}  // namespace pipehost::io
