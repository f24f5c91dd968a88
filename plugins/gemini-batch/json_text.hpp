// Writing JSON text by hand where speed matters (the JSONL of a 20,000-row batch is ~350 MB):
// string escaping that also repairs invalid UTF-8, and numbers in the shortest round-trip form
// (as JavaScript's JSON.stringify writes them, so lines compare equal to the official client's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipehost::gemini {

/// Appends `text` as a JSON string literal (with quotes). Escapes '"', '\\' and control characters;
/// replaces invalid UTF-8 sequences with U+FFFD so one bad byte cannot make the whole batch file invalid.
void append_json_string(std::string& out, std::string_view text);

/// The escaped literal's size in bytes (what append_json_string would append).
std::size_t json_string_size(std::string_view text);

/// Appends a finite double in shortest round-trip form ("0.2", "1", "1e-7" as "1e-07" is avoided).
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, std::int64_t value);

}  // namespace pipehost::gemini
