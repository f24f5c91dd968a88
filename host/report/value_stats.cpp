#include "report/value_stats.hpp"

#include <algorithm>
#include <cmath>

namespace pipehost::report {

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

// --- CategoryCounter ---

CategoryCounter::CategoryCounter(std::vector<std::string> values)
    : values_(std::move(values)), counts_(values_.size(), 0) {}

void CategoryCounter::add(std::string_view value) {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (values_[i] == value) {
      ++counts_[i];
      return;
    }
  }
  ++other_;
}

std::vector<Count> CategoryCounter::counts() const {
  std::vector<Count> out;
  for (std::size_t i = 0; i < values_.size(); ++i) out.push_back({values_[i], counts_[i], 0});
  if (other_) out.push_back({"(other)", other_, 0});
  return out;
}

// --- NumberHistogram ---

namespace {

constexpr std::size_t kValuesBeforeRange = 1024;

/// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
double round_width(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (step * magnitude >= raw) return step * magnitude;
  return 10 * magnitude;
}

}  // namespace

NumberHistogram::NumberHistogram(bool integers) : integers_(integers) {}

void NumberHistogram::add(double value) {
  if (!std::isfinite(value)) return;
  min_ = count_ ? std::min(min_, value) : value;
  max_ = count_ ? std::max(max_, value) : value;
  ++count_;
  sum_ += value;
  if (counts_.empty()) {
    pending_.push_back(value);
    if (pending_.size() >= kValuesBeforeRange) fix_range();
    return;
  }
  place(value);
}

void NumberHistogram::fix_range() {
  double low = *std::min_element(pending_.begin(), pending_.end());
  double high = *std::max_element(pending_.begin(), pending_.end());
  // Span the values with about half the bins, leaving room for later values on either side.
  double width = round_width((high - low) / (kBins / 2));
  if (high == low) width = round_width(std::abs(low) / 16);
  if (integers_) width = std::max(1.0, std::ceil(width));
  width_ = width;
  low_ = std::floor(low / width) * width;
  if (integers_ && high - low < static_cast<double>(kBins) / 2)
    low_ = std::floor(low);  // small integer ranges: one bin per value, starting at the smallest
  counts_.assign(kBins, 0);
  for (double v : pending_) place(v);
  pending_.clear();
  pending_.shrink_to_fit();
}

void NumberHistogram::place(double value) {
  while (value < low_) widen(true);
  while (value >= low_ + width_ * static_cast<double>(kBins)) widen(false);
  auto bin = static_cast<std::size_t>(std::floor((value - low_) / width_));
  ++counts_[std::min(bin, kBins - 1)];
}

void NumberHistogram::widen(bool downwards) {
  // Bin i of width w becomes part of bin j of width 2w: j = i/2 keeps the low end; growing downwards
  // moves the low end by kBins*w, so j = kBins/2 + i/2 (both exact because kBins is even).
  std::vector<std::uint64_t> merged(kBins, 0);
  for (std::size_t i = 0; i < kBins; ++i) merged[(downwards ? kBins / 2 : 0) + i / 2] += counts_[i];
  if (downwards) low_ -= width_ * static_cast<double>(kBins);
  width_ *= 2;
  counts_ = std::move(merged);
}

std::vector<HistogramBin> NumberHistogram::bins() const {
  if (count_ == 0) return {};
  if (counts_.empty()) {
    NumberHistogram fixed = *this;
    fixed.fix_range();
    return fixed.bins();
  }
  std::size_t first = 0, last = kBins - 1;
  while (first < last && counts_[first] == 0) ++first;
  while (last > first && counts_[last] == 0) --last;
  std::vector<HistogramBin> out;
  for (std::size_t i = first; i <= last; ++i)
    out.push_back(
        {low_ + width_ * static_cast<double>(i), low_ + width_ * static_cast<double>(i + 1), counts_[i]});
  return out;
}

// --- TopValues ---

TopValues::TopValues(std::size_t capacity, std::size_t max_bytes)
    : capacity_(std::max<std::size_t>(capacity, 1)), max_bytes_(max_bytes) {
  entries_.reserve(capacity_);
  index_.reserve(capacity_ * 2);
}

bool TopValues::less(std::size_t a, std::size_t b) const {
  const auto& x = heap_[a];
  const auto& y = heap_[b];
  // Among equal counts the newest value gives way first.
  return x.count != y.count ? x.count < y.count : x.first_seen > y.first_seen;
}

void TopValues::sift_down(std::size_t i) {
  while (true) {
    std::size_t smallest = i, left = 2 * i + 1, right = left + 1;
    if (left < heap_.size() && less(left, smallest)) smallest = left;
    if (right < heap_.size() && less(right, smallest)) smallest = right;
    if (smallest == i) return;
    std::swap(heap_[i], heap_[smallest]);
    place_[heap_[i].entry] = i;
    place_[heap_[smallest].entry] = smallest;
    i = smallest;
  }
}

void TopValues::sift_up(std::size_t i) {
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!less(i, parent)) return;
    std::swap(heap_[i], heap_[parent]);
    place_[heap_[i].entry] = i;
    place_[heap_[parent].entry] = parent;
    i = parent;
  }
}

void TopValues::add(std::string_view value) {
  value = utf8_prefix(value, max_bytes_);
  ++seen_;
  const std::uint64_t hash = std::hash<std::string_view>()(value);
  if (auto it = index_.find(hash); it != index_.end()) {
    auto place = place_[it->second];
    entries_[it->second].count = ++heap_[place].count;
    sift_down(place);
    return;
  }
  ++distinct_;
  if (entries_.size() < capacity_) {
    std::size_t e = entries_.size();
    entries_.push_back({std::string(value), hash, 1, 0, seen_});
    index_.emplace(hash, e);
    heap_.push_back({1, seen_, e});
    place_.push_back(heap_.size() - 1);
    sift_up(heap_.size() - 1);
    return;
  }
  // The least counted value gives way; the new one inherits its count as a possible overcount. The
  // index node is reused (extract, re-key, insert): no allocation per value.
  evicted_ = true;
  auto& top = heap_.front();
  auto& entry = entries_[top.entry];
  auto node = index_.extract(entry.hash);
  node.key() = hash;
  index_.insert(std::move(node));
  entry.value.assign(value);
  entry.hash = hash;
  entry.overcount = entry.count;
  entry.count = ++top.count;
  entry.first_seen = top.first_seen = seen_;
  sift_down(0);
}

std::vector<Count> TopValues::top(std::size_t n) const {
  std::vector<const Entry*> sorted;
  sorted.reserve(entries_.size());
  for (const auto& e : entries_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->count != b->count ? a->count > b->count : a->first_seen < b->first_seen;
  });
  if (sorted.size() > n) sorted.resize(n);
  std::vector<Count> out;
  for (const auto* e : sorted) out.push_back({e->value, e->count, e->overcount});
  return out;
}

}  // namespace pipehost::report
