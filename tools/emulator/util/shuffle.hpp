// The output order of batch results: real batch services do not keep input order, so clients
// must join on their request ids. A seeded shuffle that never returns the input order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "emulator/util/hash.hpp"

namespace pipehost::emulator {

/// Seeded shuffle that never leaves more than one element in input order.
template <class T>
void shuffle_not_in_order(std::vector<T>& items, SplitMix64& random) {
  if (items.size() < 2) return;
  std::vector<std::size_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[random.below(i + 1)]);
  bool identity = true;
  for (std::size_t i = 0; i < order.size(); ++i) identity = identity && order[i] == i;
  if (identity) std::reverse(order.begin(), order.end());
  std::vector<T> shuffled;
  shuffled.reserve(items.size());
  for (std::size_t index : order) shuffled.push_back(std::move(items[index]));
  items = std::move(shuffled);
}

}  // namespace pipehost::emulator
