// The user message template: literal text with {{column}} and {{column | json}} placeholders, compiled
// once into segments, bound once to the source's columns, rendered per row without re-parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/value.hpp"

namespace pipehost::prompt_template {

/// How a placeholder's value goes into the text.
enum class Insertion : std::uint8_t {
  text,         ///< {{column}}: the value as is.
  json_string,  ///< {{column | json}}: the value as JSON: a string quoted and escaped ("a \"b\""), numbers,
                ///< arrays and null (from a typed source) as they are.
};

class UserTemplate {
 public:
  /// Compiles template text. `origin` names it in errors ("user_template" or the file's path). Throws
  /// std::runtime_error "<origin>: line L, column C: <what>" on an unclosed "{{", an empty name, a name
  /// with braces or a line break, or an unknown filter. A "}}" outside a placeholder is plain text.
  static UserTemplate compile(std::string_view text, std::string origin);

  /// Resolves every placeholder to its column's index. Throws std::runtime_error naming the first
  /// unknown placeholder, a close match if there is one, and the available columns.
  void bind(const std::vector<std::string>& columns);

  /// Appends the text for one row; `values` line up with the bound columns. Throws std::runtime_error
  /// when called before `bind` or when `values` is too short for a placeholder.
  void render(const std::vector<Value>& values, std::string& out) const;

  /// Placeholder names in order of appearance (with repeats).
  std::vector<std::string> placeholder_names() const;

 private:
  struct Segment {
    /// Literal text, or the placeholder's column name.
    std::string text;
    bool placeholder = false;
    Insertion insertion = Insertion::text;
    /// Bound column index (placeholders only).
    std::size_t column = 0;
    /// Where the placeholder starts in the template (1-based), for errors.
    std::size_t line = 0;
    std::size_t column_number = 0;
  };

  std::string origin_;
  std::vector<Segment> segments_;
  std::size_t literal_bytes_ = 0;
  /// 1 + the highest bound column index; rows must have at least this many values.
  std::size_t values_needed_ = 0;
  std::string last_column_name_;
  bool bound_ = false;
};

/// The candidate closest to `name` by edit distance (ignoring ASCII case), if it is close enough to be a
/// likely typo; empty otherwise.
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace pipehost::prompt_template
