// The values of every secret the run has read, so they can be cut out of any text before it is
// logged, stored or shown.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pipehost::services {

class SecretRegistry {
 public:
  /// Remembers a secret value (and its percent-encoded form). Values shorter than 4 characters are
  /// not registered: redacting them would mangle ordinary text, and no real key is that short.
  void add(std::string_view value);
  /// `text` with every registered secret replaced by "[REDACTED]".
  std::string redact(std::string_view text) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> values_;
};

}  // namespace pipehost::services
