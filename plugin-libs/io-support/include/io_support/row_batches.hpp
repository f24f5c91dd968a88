// How the file sources hand out rows: batches that reuse the caller's Row objects, and an error that
// sticks for the rest of a pass.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipehost/sdk.hpp"

namespace pipehost::io {

/// Replaces `batch` with up to `max_rows` rows: `pending` first when it holds one (a row a source had
/// to read early, e.g. to learn the columns), then rows from `next_row(Row&)`, which returns false at
/// the end of the input. The batch's existing Row objects are reused, so their strings keep their
/// capacity from one batch to the next.
template <class NextRow>
void fill_batch(std::vector<Row>& batch, std::size_t max_rows, std::optional<Row>& pending,
                NextRow&& next_row) {
  std::size_t count = 0;
  while (count < max_rows) {
    if (count == batch.size()) batch.emplace_back();
    if (pending) {
      batch[count] = std::move(*pending);
      pending.reset();
    } else if (!next_row(batch[count])) {
      break;
    }
    ++count;
  }
  batch.resize(count);
}

/// The first error of a pass. Once a source failed, every later call fails with the same message
/// instead of reading on past the bad row.
class StickyError {
 public:
  /// Runs `step` unless an error is kept (then throws it again); keeps the message of what `step` throws.
  template <class Step>
  void run(Step&& step) {
    if (!message_.empty()) throw std::runtime_error(message_);
    try {
      step();
    } catch (const std::exception& e) {
      message_ = e.what();
      throw;
    }
  }
  /// Forgets the error (a new pass).
  void clear() { message_.clear(); }

 private:
  std::string message_;
};

}  // namespace pipehost::io
