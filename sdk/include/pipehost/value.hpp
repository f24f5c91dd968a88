// Value: one typed cell of a row, from the source through the parser to the sinks, and the SDK's
// JSON reader and writer (good enough for request and answer lines; one escaper for the whole tree).
//
//   Value v = Value::array({"a", "b"});          // ["a","b"]
//   v.kind() == Value::Kind::array;
//   std::string json = to_json(v);               // compact JSON
//   Value parsed; std::string error;
//   if (!parse_json(R"({"n": 113})", parsed, error)) ...
//   parsed.find("n")->as_int() == 113;
//
// Integers keep their exact decimal text, however large: 123456789012345678901234567890 is never
// turned into a double. Objects keep their members in order (schema order matters for columns).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipehost {

class Value {
 public:
  enum class Kind : std::uint8_t { null, boolean, integer, number, string, array, object };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : kind_(Kind::boolean), int_(b ? 1 : 0) {}
  Value(int i) : Value(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : kind_(Kind::integer), int_(i), text_(std::to_string(i)) {}
  Value(std::uint64_t u) : Value(integer(std::to_string(u))) {}
  Value(double d) : kind_(Kind::number), number_(d) {}
  Value(std::string s) : kind_(Kind::string), text_(std::move(s)) {}
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(const char* s) : Value(std::string(s)) {}

  /// An integer from its decimal text (an optional '-' and digits), kept exactly even beyond 64 bits.
  static Value integer(std::string digits);
  static Value array(std::vector<Value> items = {});
  /// An empty object; add members with `set`.
  static Value object();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_object() const { return kind_ == Kind::object; }

  bool as_bool() const { return int_ != 0; }
  /// The integer, when it fits in 64 bits (see `fits_int64`).
  std::int64_t as_int() const { return int_; }
  bool fits_int64() const { return kind_ == Kind::integer && fits_; }
  /// Integers and numbers as a double (big integers lose precision here, never in the Value).
  double as_double() const;
  /// A string's text, or an integer's exact decimal digits.
  const std::string& as_string() const { return text_; }

  /// Arrays and objects: number of items or members.
  std::size_t size() const { return items_.size(); }
  const Value& operator[](std::size_t i) const { return items_[i]; }
  Value& operator[](std::size_t i) { return items_[i]; }
  const std::vector<Value>& items() const { return items_; }
  void push_back(Value item) { items_.push_back(std::move(item)); }
  /// Objects: the i-th member's key (members keep their order).
  const std::string& key(std::size_t i) const { return keys_[i]; }
  /// Objects: the member named `key`, or null when there is none.
  const Value* find(std::string_view key) const;
  /// Objects: sets (or adds at the end) a member.
  Value& set(std::string key, Value value);

  /// The value as text for a text cell (CSV, a prompt placeholder): strings as they are, null as empty,
  /// numbers and booleans as JSON, arrays of scalars joined by `list_separator` (an item that contains
  /// the separator is JSON-quoted, so the text stays unambiguous), other arrays and objects as JSON.
  std::string to_text(std::string_view list_separator = "; ") const;

  friend inline bool operator==(const Value& a, const Value& b);

 private:
  Kind kind_ = Kind::null;
  bool fits_ = true;
  std::int64_t int_ = 0;
  double number_ = 0;
  std::string text_;
  std::vector<std::string> keys_;
  std::vector<Value> items_;
};

/// Parses one JSON text (surrounding whitespace allowed). On failure returns false and says where and
/// why in `error` ("offset 12: expected ':'"), and the byte offset in `error_offset` when given.
/// Invalid UTF-8 in strings is an error.
inline bool parse_json(std::string_view text, Value& out, std::string& error,
                       std::size_t* error_offset = nullptr);

/// Appends compact JSON for `value` to `out`.
inline void write_json(const Value& value, std::string& out);
inline std::string to_json(const Value& value);

/// Appends `text` as a quoted JSON string: quote, backslash and control characters escaped; each
/// maximal ill-formed UTF-8 subpart replaced by one U+FFFD, as Unicode recommends (the only repair rule
/// in pipehost: every plugin that writes JSON uses this).
inline void append_json_string(std::string& out, std::string_view text);
/// The size in bytes of what append_json_string would append (for planning without building).
inline std::size_t json_string_size(std::string_view text);
/// Appends a number as JavaScript's JSON.stringify writes it (shortest round trip: 0.2, 1e-7, 1e+21);
/// NaN and infinities as null.
inline void append_json_number(std::string& out, double d);
inline void append_json_number(std::string& out, std::int64_t i);

}  // namespace pipehost

#include "pipehost/detail/json_impl.hpp"
