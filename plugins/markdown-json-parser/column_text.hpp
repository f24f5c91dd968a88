// Turning parsed JSON values into text: compact JSON for nested values and error messages, and the text
// of one output column.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "pipehost/value.hpp"

namespace pipehost::markdown_json {

/// Appends `value` as compact JSON. Numbers use their shortest round-trip form ("0.1", "1e+28", "3"),
/// not Boost.JSON's "1E-1" style; keys keep the answer's order.
void append_json_text(const boost::json::value& value, std::string& out);

/// A parsed answer value as the SDK's typed value (integers stay integers, arrays arrays, keys in order).
Value to_value(const boost::json::value& value);

/// `value` as compact JSON, cut to at most `max_bytes` (plus "...") on a UTF-8 character boundary. For
/// quoting answer values in error messages without flooding them.
std::string json_excerpt(const boost::json::value& value, std::size_t max_bytes = 80);

}  // namespace pipehost::markdown_json
