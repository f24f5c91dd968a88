// Row keys of a source: the configured key column's value, or the 1-based data row number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pipehost/sdk.hpp"

namespace pipehost::io {

/// Gives each row of a source its key. With a key column, keys must be non-empty; whether a key may
/// repeat is the host's call (run.allow_duplicate_keys), so repeats are passed on and the source keeps
/// no per-row state. Without one, the key is the 1-based data row number, counted up as text in place
/// (cheaper on a source's hot path than formatting each number).
class RowKeys {
 public:
  /// `key_column` empty: keys are row numbers.
  explicit RowKeys(std::string key_column) : key_column_(std::move(key_column)) {}

  /// Starts a pass (row numbers from 1 again) over rows with these columns. Returns an
  /// empty string, or what is wrong: the key column is not among them.
  std::string start(const std::vector<std::string>& columns);

  bool has_key_column() const { return !key_column_.empty(); }
  /// Position of the key column among the columns (when there is one).
  std::size_t key_index() const { return key_index_; }

  /// Sets `row.key` from its values (or the row number). Returns an empty string, or what is wrong
  /// with the key (the caller adds where): it is empty.
  std::string assign(Row& row);

 private:
  void next_row_number();

  std::string key_column_;
  std::size_t key_index_ = 0;
  std::string row_number_ = "0";
};

}  // namespace pipehost::io
