#include "retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace pipehost::net {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

int month_index(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i);
  }
  return -1;
}

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse_clock(std::string_view text, std::tm& tm) {
  // HH:MM:SS
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
  return parse_int(text.substr(0, 2), tm.tm_hour) && parse_int(text.substr(3, 2), tm.tm_min) &&
         parse_int(text.substr(6, 2), tm.tm_sec);
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

}  // namespace

bool is_retryable_status(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  text = trim(text);
  std::tm tm{};
  auto words = split_words(text);
  bool parsed = false;
  if (words.size() == 6 && words[0].ends_with(",") && words[5] == "GMT") {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    tm.tm_mon = month_index(words[2]);
    parsed = parse_int(words[1], tm.tm_mday) && tm.tm_mon >= 0 && parse_int(words[3], tm.tm_year) &&
             parse_clock(words[4], tm);
    tm.tm_year -= 1900;
  } else if (words.size() == 4 && words[0].ends_with(",") && words[3] == "GMT") {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    std::string_view date = words[1];
    if (date.size() == 9 && date[2] == '-' && date[6] == '-') {
      tm.tm_mon = month_index(date.substr(3, 3));
      int year = 0;
      parsed = parse_int(date.substr(0, 2), tm.tm_mday) && tm.tm_mon >= 0 &&
               parse_int(date.substr(7, 2), year) && parse_clock(words[2], tm);
      tm.tm_year = year < 70 ? year + 100 : year;  // two-digit years: 1970..2069
    }
  } else if (words.size() == 5) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    tm.tm_mon = month_index(words[1]);
    parsed = tm.tm_mon >= 0 && parse_int(words[2], tm.tm_mday) && parse_clock(words[3], tm) &&
             parse_int(words[4], tm.tm_year);
    tm.tm_year -= 1900;
  }
  if (!parsed || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::time_t seconds = timegm(&tm);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    long long seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
    // Anything beyond a day is nonsense for our purposes; the total-time bound applies anyway.
    seconds = std::min<long long>(seconds, 24 * 3600);
    return std::chrono::seconds(seconds);
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double uniform01) {
  double initial = static_cast<double>(std::max<std::int64_t>(0, policy.initial_backoff.count()));
  double cap = static_cast<double>(std::max<std::int64_t>(0, policy.max_backoff.count()));
  double exponent = std::clamp(retry - 1, 0, 62);
  double ceiling = std::min(cap, initial * std::pow(2.0, exponent));
  double draw = std::clamp(uniform01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ceiling * draw)));
}

std::chrono::milliseconds next_retry_delay(const RetryPolicy& policy, int retry,
                                           std::optional<std::chrono::milliseconds> retry_after,
                                           double uniform01) {
  if (retry_after) return *retry_after;
  return backoff_delay(policy, retry, uniform01);
}

std::chrono::milliseconds Backoff::next(std::optional<std::chrono::milliseconds> asked) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  double draw = std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  return next_retry_delay(policy_, ++retries_, asked, draw);
}

std::chrono::milliseconds Backoff::next_after(std::int64_t retry_after_ms) {
  return next(retry_after_ms >= 0 ? std::optional(std::chrono::milliseconds(retry_after_ms)) : std::nullopt);
}

}  // namespace pipehost::net
