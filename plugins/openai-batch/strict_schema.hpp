// JSON Schema → the subset OpenAI's Structured Outputs accept with `strict: true`.
//
// Strict mode wants every object closed (`additionalProperties: false`) and every property listed in
// `required`; an optional property is expressed as nullable instead (its type gains "null"). It
// accepts only some keywords: type, enum, const, anyOf, $ref/$defs, description and title on any
// schema; properties/required/additionalProperties on objects; items/minItems/maxItems on arrays;
// pattern/format on strings; minimum/maximum/exclusiveMinimum/exclusiveMaximum/multipleOf on numbers.
// Annotations that constrain nothing ($schema, $comment, examples, default, ...) are dropped; any
// other keyword is refused with an error naming it and where it is, since silently dropping a
// constraint would change what the answers may be.
#pragma once

#include <string>
#include <string_view>

#include "pipehost/value.hpp"

namespace pipehost::openai {

/// Converts `schema` (JSON Schema, lower-case types, as GenerationSettings::response_schema_json
/// holds it). Throws std::invalid_argument ("response schema at /properties/x: minLength is not
/// supported by OpenAI's strict structured outputs ...") for what strict mode cannot express.
Value to_strict_schema(const Value& schema);
/// The same from JSON text; returns compact JSON.
std::string to_strict_schema_json(std::string_view schema_json);

}  // namespace pipehost::openai
