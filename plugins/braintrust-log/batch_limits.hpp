// How many events go into one insert request: at most `max_events`, and a body of at most `max_bytes`
// (an event larger than that on its own is still sent, alone).
#pragma once

#include <cstddef>

#include "braintrust_api.hpp"

namespace pipehost::braintrust {

struct BatchLimits {
  std::size_t max_events = 100;
  std::size_t max_bytes = 3u << 20;

  /// Whether a batch of `count` events of `bytes` JSON bytes can take one more of `next` bytes.
  bool fits(std::size_t count, std::size_t bytes, std::size_t next) const {
    return count == 0 || (count < max_events && insert_body_size(count + 1, bytes + next) <= max_bytes);
  }
};

}  // namespace pipehost::braintrust
