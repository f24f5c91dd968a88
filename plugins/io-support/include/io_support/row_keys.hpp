// Row keys of a source: the configured key column's value, or the 1-based data row number. Keys from
// a column must be unique and non-empty; to check that in one streaming pass, every key seen so far is
// kept in memory with the line it came from (the only per-row state a source keeps: about the key's
// length plus ~50 bytes per row).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pipehost::io {

/// The key of rows without a key column: the 1-based data row number as decimal text, counted up in
/// place (on a source's hot path this is cheaper than formatting each number).
class RowNumberKey {
 public:
  /// Advances to the next row and returns its number as text ("1" first).
  const std::string& next() {
    for (std::size_t i = text_.size(); i-- > 0;) {
      if (text_[i] != '9') {
        ++text_[i];
        return text_;
      }
      text_[i] = '0';
    }
    text_.front() = '1';  // 99 -> 00 -> 100
    text_.push_back('0');
    return text_;
  }
  void reset() { text_.assign(1, '0'); }

 private:
  std::string text_ = "0";
};

/// The keys seen so far from a key column, to refuse empty and duplicate ones.
class RowKeys {
 public:
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
