#include "event_sender.hpp"

namespace pipehost::braintrust {

EventSender::EventSender(BraintrustApi& api, HostServices& host, std::string project_id, RetryPolicy retry)
    : api_(api), host_(host), project_id_(std::move(project_id)), retry_(retry) {}

EventSender::Outcome EventSender::send(const std::vector<std::string_view>& events) {
  Outcome outcome;
  if (!events.empty()) send_range(events, 0, events.size(), outcome);
  return outcome;
}

void EventSender::send_range(const std::vector<std::string_view>& events, std::size_t begin, std::size_t end,
                             Outcome& outcome) {
  std::vector<std::string_view> slice(events.begin() + static_cast<std::ptrdiff_t>(begin),
                                      events.begin() + static_cast<std::ptrdiff_t>(end));
  RetryPolicy retry = retry_;
  if (outage_) retry.max_attempts = 1;
  InsertResult result = api_.insert(project_id_, slice, retry);

  if (result.kind == InsertResult::Kind::delivered) {
    if (outage_) host_.log(LogLevel::info, "BrainTrust answers again; sending events normally");
    outage_ = false;
    outcome.delivered += slice.size();
    return;
  }
  if (result.kind == InsertResult::Kind::rejected && slice.size() > 1) {
    // The request was refused as a whole: find the events it objects to.
    std::size_t middle = begin + slice.size() / 2;
    send_range(events, begin, middle, outcome);
    send_range(events, middle, end, outcome);
    return;
  }
  if (result.kind == InsertResult::Kind::rejected) {
    host_.log(LogLevel::warn,
              "BrainTrust refused event " + event_id_of(slice.front()) + ": " + result.message);
  } else if (result.unavailable && !outage_) {
    outage_ = true;
    host_.log(LogLevel::warn, "BrainTrust is unavailable (" + result.message +
                                  "); events that cannot be delivered are set aside until it answers again");
  } else if (!result.unavailable) {
    host_.log(LogLevel::warn, "BrainTrust insert failed: " + result.message);
  }
  for (std::size_t i = begin; i < end; ++i) outcome.undelivered.push_back(i);
  outcome.reason = result.message;
}

std::string event_id_of(std::string_view event_json) {
  static constexpr std::string_view kPrefix = R"({"id":")";
  if (event_json.substr(0, kPrefix.size()) != kPrefix) return "?";
  auto rest = event_json.substr(kPrefix.size());
  auto quote = rest.find('"');
  return quote == std::string_view::npos ? "?" : std::string(rest.substr(0, quote));
}

}  // namespace pipehost::braintrust
