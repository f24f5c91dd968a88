// Row keys of a source: the configured key column's value, or the 1-based data row number. Keys from
// a column must be unique and non-empty; to check that in one streaming pass, every key seen so far is
// kept in memory with the line it came from (the only per-row state a source keeps: about the key's
// length plus ~50 bytes per row).
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pipehost::io {

class RowKeys {
 public:
  /// The key of data row `row_number` (1-based) when no key column is configured.
  static void row_number_key(std::uint64_t row_number, std::string& key) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, row_number).ptr;
    key.assign(digits, end);
  }

  /// Records the key of the row at `line`, taken from column `column`. Returns an empty string when
  /// the key is fine, else what is wrong with it (the caller adds where): empty, or a duplicate
  /// (naming the line where it was seen first).
  std::string check(std::string_view key, std::string_view column, std::uint64_t line);

  /// Forgets every key (a source re-read from the start).
  void clear() { lines_.clear(); }

 private:
  std::unordered_map<std::string, std::uint64_t> lines_;
};

}  // namespace pipehost::io
