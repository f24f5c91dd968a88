// Implementation details of host_services.hpp (the inline helpers of HttpResponse). Not part of the
// SDK's interface: include pipehost/sdk.hpp (or host_services.hpp) instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipehost {

inline std::string HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
      same = lower(h.name[i]) == lower(name[i]);
    }
    if (same) return h.value;
  }
  return {};
}

inline Status status_of(const HttpResponse& response, std::string_view what) {
  if (response.status >= 200 && response.status < 300) return Status::ok();
  std::string body = response.body.substr(0, 300);
  std::string message =
      std::string(what) + ": HTTP " + std::to_string(response.status) + (body.empty() ? "" : ": " + body);
  if (response.status == 408 || response.status == 429 || response.status >= 500) {
    std::int64_t hint = -1;
    std::string after = response.header("retry-after");
    if (!after.empty() && after.find_first_not_of("0123456789") == std::string::npos && after.size() < 9)
      hint = std::stoll(after) * 1000;
    return Status::retry(std::move(message), hint);
  }
  if (response.status == 401 || response.status == 403)
    return Status::fatal(message + " (check the API key)");
  return Status::fatal(std::move(message));
}

}  // namespace pipehost
