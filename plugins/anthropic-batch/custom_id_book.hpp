// The durable record of hashed custom_ids (custom_id.hpp): a key too long for a reversible custom_id
// is sent as "_h<hash>", and (id, key) is appended to <scratch>/custom-ids.jsonl and fsynced before
// the batch that carries it is created. Results of that batch - fetched by this run, by a run after a
// crash, or adopted by listing after a lost create answer - are decoded from it.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipehost/status.hpp"

namespace pipehost::anthropic {

class CustomIdBook {
 public:
  /// Reads `path` when it exists (a torn last line, left by a kill, is ignored).
  Status open(std::string path);

  /// Records the (id, key) pairs not recorded yet, durably. Fatal when an id is already recorded for
  /// another key (two keys with the same 128-bit hash).
  Status record(const std::vector<std::pair<std::string, std::string>>& entries);

  /// The key recorded for a hashed id; false when there is none.
  bool find(const std::string& custom_id, std::string& key) const;

  std::size_t size() const;

 private:
  std::string path_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> keys_;
  /// The file ends in a line a kill cut short: the next append starts on a line of its own.
  bool torn_end_ = false;
};

/// The row key of any custom_id this plugin makes: decoded, or looked up in `book` for hashed ids.
/// False for ids it never made.
bool key_of_custom_id(const std::string& custom_id, const CustomIdBook& book, std::string& key);

}  // namespace pipehost::anthropic
