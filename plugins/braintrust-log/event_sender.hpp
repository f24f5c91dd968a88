// Sends batches of events and says which ones arrived. Retries (429, 5xx, network; Retry-After
// honoured) are the host HTTP client's RetryPolicy, bounded by max_retry. Two refinements:
//  - a request the service refuses as a whole (400, 413, ...) is split in halves until the events it
//    refuses are isolated, so one bad event does not sink its neighbours;
//  - after a batch exhausted its retries, the service is taken to be down ("outage"): later batches get
//    one attempt each, so a long outage sets events aside quickly instead of stalling the run for
//    max_retry per batch. The first success ends the outage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "braintrust_api.hpp"
#include "pipehost/host_services.hpp"

namespace pipehost::braintrust {

class EventSender {
 public:
  EventSender(BraintrustApi& api, HostServices& host, std::string project_id, RetryPolicy retry);

  struct Outcome {
    std::size_t delivered = 0;
    /// Indices (into the events passed to `send`) that did not arrive, in order.
    std::vector<std::size_t> undelivered;
    /// Why the last undelivered ones did not arrive.
    std::string reason;
  };

  /// Sends `events` (one insert request, or several after a split). Not thread-safe: one caller at a time.
  Outcome send(const std::vector<std::string_view>& events);

  bool in_outage() const { return outage_; }

 private:
  void send_range(const std::vector<std::string_view>& events, std::size_t begin, std::size_t end,
                  Outcome& outcome);

  BraintrustApi& api_;
  HostServices& host_;
  std::string project_id_;
  RetryPolicy retry_;
  bool outage_ = false;
};

/// The "id" of an event line (our events start with {"id":"...), or "?" when it has none.
std::string event_id_of(std::string_view event_json);

}  // namespace pipehost::braintrust
