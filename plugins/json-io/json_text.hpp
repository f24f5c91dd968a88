// Writing JSON strings by hand, so the sinks stream without building a document: escaping per RFC
// 8259 (quote, backslash, every control character) and always valid UTF-8 out (ill-formed input
// bytes become U+FFFD, one per maximal ill-formed subpart).
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace pipehost::json_io {

/// Appends `text` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

/// Appends `value` as compact JSON text. Doubles take the shortest form that reads back as the same
/// number ("2.5", "1e+300", "7" for 7.0) instead of Boost.JSON's "2.5E0".
void append_json_value(std::string& out, const boost::json::value& value);

}  // namespace pipehost::json_io
