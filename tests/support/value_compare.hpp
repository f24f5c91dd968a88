// Comparing typed values with plain text in tests: a row from a CSV source holds string Values, and
// `EXPECT_EQ(row.values, (std::vector<std::string>{"a", "b"}))` reads best. gtest prints Values as JSON.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "pipehost/types.hpp"
#include "pipehost/value.hpp"

namespace pipehost {

/// True when every value is a string equal to the text at the same place.
inline bool operator==(const std::vector<Value>& values, const std::vector<std::string>& texts) {
  if (values.size() != texts.size()) return false;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!values[i].is_string() || values[i].as_string() != texts[i]) return false;
  return true;
}

inline void PrintTo(const Value& value, std::ostream* out) {
  *out << to_json(value);
}

namespace test {

/// Column names, in order.
inline std::vector<std::string> names_of(const std::vector<Column>& columns) {
  std::vector<std::string> names;
  for (const auto& column : columns) names.push_back(column.name);
  return names;
}

/// Values as a text sink writes them (arrays joined by `separator`).
inline std::vector<std::string> texts_of(const std::vector<Value>& values,
                                         std::string_view separator = "; ") {
  std::vector<std::string> texts;
  for (const auto& value : values) texts.push_back(value.to_text(separator));
  return texts;
}

}  // namespace test

}  // namespace pipehost
