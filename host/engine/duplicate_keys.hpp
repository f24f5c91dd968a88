// Keys of rows whose key repeats (run.allow_duplicate_keys).
#pragma once

#include <string>
#include <unordered_map>

namespace pipehost::engine {

/// Names the repeats of a key: its first row keeps the key, the second is "KEY#2", the third "KEY#3",
/// in input order, so every pass over the input gives a row the same name.
class RepeatedKeyNames {
 public:
  /// The name of the next row with `key`, counting its first row (every pass but the first: the
  /// keys known to repeat are named from their first row on).
  std::string next(const std::string& key) {
    int n = ++count_[key];
    return n == 1 ? key : suffixed(key, n);
  }
  /// The name of a row found to repeat an earlier row's key (the first pass: a key is known to repeat
  /// only from its second row on).
  std::string next_repeat(const std::string& key) {
    auto counted = count_.try_emplace(key, 1).first;
    return suffixed(key, ++counted->second);
  }

 private:
  static std::string suffixed(const std::string& key, int n) { return key + "#" + std::to_string(n); }
  std::unordered_map<std::string, int> count_;
};

}  // namespace pipehost::engine
