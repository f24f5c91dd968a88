#include "report/html_text.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace pipehost::report {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence starting at `i`, or 0 when it is not one (overlong forms,
/// surrogates and code points beyond U+10FFFF are not valid).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;   // overlong
  if (c == 0xED && byte(i + 1) >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;   // overlong
  if (c == 0xF4 && byte(i + 1) >= 0x90) return 0;  // beyond U+10FFFF
  return n;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default: {
        auto n = utf8_length(text, i);
        bool control =
            n == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) && c != '\n' && c != '\t';
        if (n == 0 || control) {
          out += kReplacement;
          i += 1;
          continue;
        }
        out.append(text.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
  }
  return out;
}

std::string cut_chars(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0, i = 0;
  while (i < text.size() && chars < max_chars) {
    auto n = utf8_length(text, i);
    i += n ? n : 1;
    ++chars;
  }
  if (i >= text.size()) return std::string(text);
  return std::string(text.substr(0, i)) + "…";
}

std::string format_count(std::uint64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::abs(value) < 1e15) {
    auto n = static_cast<long long>(value);
    return n < 0 ? std::string("-").append(format_count(static_cast<std::uint64_t>(-n)))
                 : format_count(static_cast<std::uint64_t>(n));
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

std::string format_usd(double dollars) {
  char text[48];
  std::snprintf(text, sizeof text, dollars != 0 && std::abs(dollars) < 0.01 ? "$%.4f" : "$%.2f", dollars);
  return text;
}

std::string format_percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%", share * 100);
  return text;
}

std::string format_seconds(double seconds) {
  char text[48];
  if (seconds < 1)
    std::snprintf(text, sizeof text, "%.0f ms", seconds * 1000);
  else if (seconds < 60)
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  else if (seconds < 3600)
    std::snprintf(text, sizeof text, "%d min %02d s", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  else
    std::snprintf(text, sizeof text, "%d h %02d min", static_cast<int>(seconds) / 3600,
                  static_cast<int>(seconds) % 3600 / 60);
  return text;
}

std::string format_time(double unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string humanize(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    if (c == '_') c = ' ';
  return out;
}

}  // namespace pipehost::report
