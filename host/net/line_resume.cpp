#include "line_resume.hpp"

#include <charconv>

#include "retry.hpp"

namespace pipehost::net {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

std::optional<std::uint64_t> content_length(const HttpResponse& response) {
  std::string value = response.header("content-length");
  return value.empty() ? std::nullopt : parse_u64(trim(value));
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  value = trim(value);
  if (!starts_with_ignore_case(value, "bytes ")) return std::nullopt;
  value = trim(value.substr(6));
  auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ContentRange out;
  std::string_view span = value.substr(0, slash);
  std::string_view total = value.substr(slash + 1);
  if (total != "*") {
    out.total = parse_u64(total);
    if (!out.total) return std::nullopt;
  }
  if (span == "*") return out.total ? std::optional(out) : std::nullopt;
  auto dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  out.first = parse_u64(span.substr(0, dash));
  out.last = parse_u64(span.substr(dash + 1));
  if (!out.first || !out.last || *out.last < *out.first) return std::nullopt;
  if (out.total && *out.last >= *out.total) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parse_open_range(std::string_view value) {
  value = trim(value);
  if (!starts_with_ignore_case(value, "bytes=") || value.back() != '-') return std::nullopt;
  return parse_u64(trim(value.substr(6, value.size() - 7)));
}

Status LineResume::prepare(const HttpRequest& request) {
  if (!request.on_response_line) return Status::fatal("resume_lines needs on_response_line");
  for (const auto& header : request.headers) {
    if (header.name.size() != 5 || !starts_with_ignore_case(header.name, "range")) continue;
    caller_start_ = parse_open_range(header.value);
    if (!caller_start_) {
      return Status::fatal("resume_lines can only continue an open-ended \"Range: bytes=N-\", not \"" +
                           header.value + "\"");
    }
  }
  return Status::ok();
}

LineResume::Plan LineResume::fresh(const HttpResponse& response) {
  Plan plan;
  plan.lines = true;
  total_ = content_length(response);
  if (response.status == 206) {
    // An answer to the caller's own "bytes=N-": it says where it starts.
    auto range = parse_content_range(response.header("content-range"));
    plan.base = range && range->first ? *range->first : caller_start_.value_or(0);
    total_ = range ? range->total : std::nullopt;
  }
  etag_ = response.header("etag");
  position_ = plan.base;
  origin_ = plan.base;
  return plan;
}

Status LineResume::same_body(const HttpResponse& response, std::optional<std::uint64_t> total) const {
  std::string etag = response.header("etag");
  if (!etag_.empty() && !etag.empty() && etag != etag_) {
    return Status::fatal("the body changed between attempts (ETag " + etag_ + ", now " + etag +
                         "): cannot resume the line download at byte " + std::to_string(position()));
  }
  if (total_ && total && *total != *total_) {
    return Status::fatal("the body changed between attempts (" + std::to_string(*total_) + " bytes, now " +
                         std::to_string(*total) + "): cannot resume the line download at byte " +
                         std::to_string(position()));
  }
  return Status::ok();
}

Status LineResume::resumed(const HttpResponse& response, Plan& plan) {
  plan = Plan{};
  std::string asked = "\"Range: " + range() + "\"";
  std::string content_range = response.header("content-range");
  if (response.status == 206) {
    auto span = parse_content_range(content_range);
    if (!span || !span->first || *span->first != position()) {
      return Status::fatal("resuming the line download: asked for " + asked +
                           ", the server answered 206 with Content-Range \"" + content_range + "\"");
    }
    Status same = same_body(response, span->total);
    if (!same.is_ok()) return same;
    plan.lines = true;
    plan.base = position();
    return Status::ok();
  }
  if (response.status == 200) {
    // The server ignored the Range header and sends the whole body again: drop what we delivered.
    Status same = same_body(response, content_length(response));
    if (!same.is_ok()) return same;
    plan.lines = true;
    plan.skip = position();
    plan.base = position();
    return Status::ok();
  }
  if (response.status == 416) {
    std::string why = "the body is shorter than before";
    auto span = parse_content_range(content_range);
    if (span && span->total == position()) {
      // Only a chunked body whose last chunk was lost gets here: nothing was missing but its end.
      why =
          "the body ends where the last delivered line ended (every line arrived; its end was not confirmed)";
    }
    return Status::fatal(
        "resuming the line download: the server answered 416 (range not satisfiable) to " + asked +
        (content_range.empty() ? "" : " with Content-Range \"" + content_range + "\"") + ": " + why);
  }
  if (is_retryable_status(response.status)) return Status::ok();  // the retry loop asks again
  return Status::fatal("resuming the line download at byte " + std::to_string(position()) +
                       ": the server answered HTTP " + std::to_string(response.status) + " to " + asked);
}

}  // namespace pipehost::net
