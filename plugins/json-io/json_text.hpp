// Writing JSON strings by hand, so the sinks stream without building a document: escaping per RFC
// 8259 (quote, backslash, every control character) and always valid UTF-8 out (ill-formed input
// bytes become U+FFFD, one per maximal ill-formed subpart).
#pragma once

#include <string>
#include <string_view>

namespace pipehost::json_io {

/// Appends `text` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

}  // namespace pipehost::json_io
