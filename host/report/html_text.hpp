// Text for the report page: escaping of untrusted values (model answers, input values, reasons) and
// the formats numbers, money and times are shown in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipehost::report {

/// `text` safe as HTML text or a quoted attribute value: & < > " ' escaped, invalid UTF-8 and control
/// characters (other than tab and newline) replaced by U+FFFD.
std::string escape(std::string_view text);

/// `text` cut to at most `max_chars` characters (code points), with "…" when it was longer.
std::string cut_chars(std::string_view text, std::size_t max_chars);

/// 1234567 → "1,234,567".
std::string format_count(std::uint64_t n);
/// Up to 4 significant digits, without trailing zeros: 0.5, 12.25, 1234, 1.5e+06.
std::string format_number(double value);
/// "$1.23", or "$0.0012" below a cent.
std::string format_usd(double dollars);
/// A share (0 to 1) as "98.8 %".
std::string format_percent(double share);
/// "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string format_seconds(double seconds);
/// "2025-01-31 14:05:09 UTC" for a Unix time.
std::string format_time(double unix_seconds);
/// "prompt_tokens" → "prompt tokens".
std::string humanize(std::string_view name);

}  // namespace pipehost::report
