// Finds the JSON object in a model's answer: bare JSON, a markdown code fence, or an object embedded in
// prose. Every candidate that parses is offered to a check (schema validation); the first one the check
// accepts wins, and when none does the failure that says the most about the answer is reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

namespace pipehost::markdown_json {

/// Where in the answer the accepted JSON was found.
enum class JsonOrigin : std::uint8_t {
  bare,   ///< The answer starts with the JSON (after a BOM and whitespace).
  fence,  ///< Inside a ``` or ```json code fence.
  prose,  ///< A balanced {...} somewhere in the text.
};

const char* to_string(JsonOrigin origin);

/// Decides whether a parsed object is the answer: returns an empty string to accept it, or the reason
/// it is rejected (e.g. "/energy: missing required property"). It may rewrite the object (e.g. to
/// normalise an enum's spelling); a rejected object is thrown away.
using ObjectCheck = std::function<std::string(boost::json::object&)>;

/// Result of looking for an object in an answer.
struct Extraction {
  /// True when an object was found and accepted by the check.
  bool ok = false;
  /// The accepted object (kind object) when ok; null otherwise.
  boost::json::value value;
  JsonOrigin origin = JsonOrigin::bare;
  /// Byte span of the accepted JSON in the answer.
  std::size_t begin = 0;
  std::size_t end = 0;
  /// True when the answer is exactly one JSON value (a UTF-8 BOM and JSON whitespace aside), i.e. a
  /// valid JSON document by RFC 8259. Recovered objects (fences, prose, trailing text) are not.
  bool whole_text = false;
  /// Why nothing was accepted (empty when ok). One of:
  ///   "no JSON found"
  ///   "invalid JSON at offset N: <parser message>"   (N = byte offset in the answer)
  ///   "expected a JSON object, got <array|string|number|boolean|null>"
  ///   the check's reason for the best rejected object
  std::string error;
};

/// Limits of the search; the defaults suit model answers.
struct ExtractOptions {
  /// Deepest nesting accepted in a candidate.
  std::size_t max_depth = 64;
  /// How many '{' in prose that never close are tried before giving up (keeps the search linear).
  std::size_t max_unclosed_braces = 16;
};

/// Looks for a JSON object in `text`, in this order: the bare answer; each ``` / ```json fence (tag in any
/// case) in order; each top-level balanced {...} in the text (braces inside JSON strings do not count).
/// Spans already tried are not tried again. Text after the JSON is ignored. The returned value uses
/// `storage`. Never throws on any input (only std::bad_alloc).
Extraction extract_json_object(std::string_view text, const ObjectCheck& check,
                               boost::json::storage_ptr storage = {}, const ExtractOptions& options = {});

/// Name of a JSON value's kind as used in error messages: object, array, string, number, boolean, null.
const char* json_kind_name(const boost::json::value& value);

}  // namespace pipehost::markdown_json
