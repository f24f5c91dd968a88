// Counting answers in bounded memory, whatever the number of rows: a count per allowed value, a
// histogram that widens its bins as values arrive, and the most frequent values of free text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "report/report_data.hpp"

namespace pipehost::report {

/// Counts of a fixed set of values (an enum, true/false), plus "other" for anything else.
class CategoryCounter {
 public:
  explicit CategoryCounter(std::vector<std::string> values);
  void add(std::string_view value);
  /// Every allowed value in order, then "(other)" when something else occurred.
  std::vector<Count> counts() const;

 private:
  std::vector<std::string> values_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t other_ = 0;
};

/// A histogram of a stream of numbers with a fixed number of bins. The first values fix a range with
/// round bin widths; a value outside it doubles the bin width (merging neighbours) until it fits, so
/// every count stays exact and memory stays constant.
class NumberHistogram {
 public:
  /// `integers`: bin widths are whole numbers.
  explicit NumberHistogram(bool integers);
  void add(double value);
  /// The bins from the lowest to the highest non-empty one.
  std::vector<HistogramBin> bins() const;
  std::uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }

  static constexpr std::size_t kBins = 32;

 private:
  void fix_range();
  void place(double value);
  void widen(bool downwards);

  bool integers_;
  /// Values seen before the range is fixed.
  std::vector<double> pending_;
  std::vector<std::uint64_t> counts_;
  double low_ = 0;
  double width_ = 0;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

/// The most frequent values of a stream (Space-Saving, Metwally et al. 2005): exact while there are at
/// most `capacity` different values; beyond that the least counted value gives way to the new one,
/// and a value's count may be too high by at most the count it inherited.
class TopValues {
 public:
  /// Values longer than `max_bytes` are counted by their first `max_bytes` bytes.
  explicit TopValues(std::size_t capacity = 2048, std::size_t max_bytes = 200);
  void add(std::string_view value);
  /// The `n` most frequent values, most frequent first (ties: the value first seen first).
  std::vector<Count> top(std::size_t n) const;
  /// How many different values were seen (a lower bound once `approximate`).
  std::uint64_t distinct() const { return distinct_; }
  bool approximate() const { return evicted_; }

 private:
  struct Entry {
    std::string value;
    std::uint64_t hash = 0;
    std::uint64_t count = 0;
    std::uint64_t overcount = 0;
    std::uint64_t first_seen = 0;
  };
  void sift_down(std::size_t heap_index);
  void sift_up(std::size_t heap_index);
  bool less(std::size_t a, std::size_t b) const;

  std::size_t capacity_;
  std::size_t max_bytes_;
  std::vector<Entry> entries_;
  /// A min-heap of entries by (count, newest first), with the keys inline so sifting stays in one
  /// array, and each entry's place in it.
  struct HeapItem {
    std::uint64_t count;
    std::uint64_t first_seen;
    std::size_t entry;
  };
  std::vector<HeapItem> heap_;
  std::vector<std::size_t> place_;
  /// Entries by the 64-bit hash of their value: a lookup hashes the value once and compares no
  /// strings, and a value giving way costs no allocation. (Two values with one hash would be counted
  /// together; at 64 bits that is not a practical concern.)
  std::unordered_map<std::uint64_t, std::size_t> index_;
  std::uint64_t distinct_ = 0;
  std::uint64_t seen_ = 0;
  bool evicted_ = false;
};

/// `text` cut to at most `max_bytes` bytes without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace pipehost::report
