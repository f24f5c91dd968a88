// A sliding window over a ByteInput: the bytes a reader has not consumed yet, in one contiguous
// buffer. The buffer has a fixed size and only grows (by doubling, up to a limit) while a single
// unconsumed piece - one CSV row, one JSON line - is longer than it, so memory follows the longest
// row, never the file size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "io_support/byte_input.hpp"

namespace pipehost::io {

class InputWindow {
 public:
  /// Starts with a buffer of `initial_bytes`, allowed to grow to `max_bytes` (at least `initial_bytes`).
  InputWindow(std::unique_ptr<ByteInput> input, std::size_t initial_bytes, std::size_t max_bytes);

  /// The unconsumed bytes are [begin(), end()).
  const char* begin() const { return buffer_.get() + begin_; }
  const char* end() const { return buffer_.get() + end_; }
  /// True once the input is exhausted: no byte will ever follow end().
  bool eof() const { return eof_; }

  /// Marks the bytes before `p` (a pointer into [begin(), end()]) as used.
  void consume_to(const char* p) { begin_ = static_cast<std::size_t>(p - buffer_.get()); }

  /// Reads more input after end(), first moving the unconsumed bytes to the front (and doubling the
  /// buffer when they fill it). Invalidates every pointer into the window. Returns false, reading
  /// nothing, when the unconsumed bytes already fill `max_bytes`. Must not be called after eof().
  bool fill_more();

  /// Position of begin() in the input (bytes consumed so far).
  std::uint64_t offset() const { return consumed_before_buffer_ + begin_; }
  /// Bytes the buffer holds now (for tests of the memory promise).
  std::size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<ByteInput> input_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_;
  std::size_t max_bytes_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::uint64_t consumed_before_buffer_ = 0;
};

/// Drops a UTF-8 byte order mark at the start of `window`'s input. Call before consuming anything.
void skip_byte_order_mark(InputWindow& window);

}  // namespace pipehost::io
