// Implementation of pipehost/value.hpp: Value members, the JSON reader (strict RFC 8259, exact
// integers, UTF-8 checked) and writer. Header-only, standard library only.
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace pipehost {

inline Value Value::integer(std::string digits) {
  Value v;
  v.kind_ = Kind::integer;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), v.int_);
  v.fits_ = error == std::errc() && end == digits.data() + digits.size();
  if (!v.fits_) v.int_ = 0;
  v.text_ = std::move(digits);
  return v;
}

inline Value Value::array(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::array;
  v.items_ = std::move(items);
  return v;
}

inline Value Value::object() {
  Value v;
  v.kind_ = Kind::object;
  return v;
}

inline double Value::as_double() const {
  if (kind_ == Kind::number) return number_;
  if (kind_ != Kind::integer) return 0;
  if (fits_) return static_cast<double>(int_);
  double d = 0;
  std::from_chars(text_.data(), text_.data() + text_.size(), d);
  return d;
}

inline const Value* Value::find(std::string_view key) const {
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return &items_[i];
  return nullptr;
}

inline Value& Value::set(std::string key, Value value) {
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return items_[i] = std::move(value);
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
  return items_.back();
}

inline bool operator==(const Value& a, const Value& b) {
  // JSON does not tell 1 from 1.0: an integer and a number are equal when their values are.
  auto numeric = [](const Value& v) {
    return v.kind_ == Value::Kind::integer || v.kind_ == Value::Kind::number;
  };
  if (a.kind_ != b.kind_) return numeric(a) && numeric(b) && a.as_double() == b.as_double();
  switch (a.kind_) {
    case Value::Kind::null:
      return true;
    case Value::Kind::boolean:
      return a.int_ == b.int_;
    case Value::Kind::integer:
      return a.text_ == b.text_;
    case Value::Kind::number:
      return a.number_ == b.number_;
    case Value::Kind::string:
      return a.text_ == b.text_;
    case Value::Kind::array:
      return a.items_ == b.items_;
    case Value::Kind::object:
      return a.keys_ == b.keys_ && a.items_ == b.items_;
  }
  return false;
}

namespace detail {

/// Length (1-4) of the well-formed UTF-8 sequence at text[i], or 0 when the bytes there are ill-formed;
/// then `bad_length` is the length (>= 1) of the maximal ill-formed subpart, which Unicode recommends
/// replacing with one U+FFFD (and WHATWG's decoder does). Well-formed: Unicode Table 3-7 (no overlong
/// forms, no surrogates, nothing above U+10FFFF).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i, std::size_t& bad_length) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0) return bad_length = 1, 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range excludes overlongs and surrogates
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  std::size_t k = 1;
  for (; k < n && i + k < text.size(); ++k) {
    unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) break;
  }
  if (k == n) return n;
  bad_length = k;
  return 0;
}

inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  std::size_t bad = 0;
  return utf8_sequence_length(text, i, bad);
}

inline void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}
  std::size_t offset() const { return pos_; }

  bool read_document(Value& out, std::string& error) {
    skip_space();
    if (!read_value(out, 0)) return fail_with(error);
    skip_space();
    if (pos_ != text_.size()) {
      why_ = "unexpected text after the JSON value";
      return fail_with(error);
    }
    return true;
  }

 private:
  static constexpr int kMaxDepth = 512;

  bool fail_with(std::string& error) {
    error = "offset " + std::to_string(pos_) + ": " + why_;
    return false;
  }
  bool fail(const char* why) {
    why_ = why;
    return false;
  }
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool literal(std::string_view word, Value value, Value& out) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    out = std::move(value);
    return true;
  }

  bool read_value(Value& out, int depth) {
    if (pos_ >= text_.size()) return fail("unexpected end of text");
    switch (text_[pos_]) {
      case '{':
        return read_object(out, depth + 1);
      case '[':
        return read_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!read_string(s)) return false;
        out = Value(std::move(s));
        return true;
      }
      case 't':
        return literal("true", Value(true), out);
      case 'f':
        return literal("false", Value(false), out);
      case 'n':
        return literal("null", Value(), out);
      default:
        return read_number(out);
    }
  }

  bool read_object(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    ++pos_;
    out = Value::object();
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name in double quotes");
      std::string key;
      if (!read_string(key)) return false;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      skip_space();
      Value member;
      if (!read_value(member, depth)) return false;
      out.set(std::move(key), std::move(member));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
      return fail("expected ',' or '}'");
    }
  }

  bool read_array(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    ++pos_;
    out = Value::array();
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
    while (true) {
      skip_space();
      Value item;
      if (!read_value(item, depth)) return false;
      out.push_back(std::move(item));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
      return fail("expected ',' or ']'");
    }
  }

  bool read_hex4(std::uint32_t& code) {
    if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
    code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      code <<= 4;
      if (c >= '0' && c <= '9')
        code |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        code |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        code |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return fail("invalid \\u escape");
    }
    return true;
  }

  bool read_string(std::string& out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) return fail("unterminated string");
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return fail("control character in a string (escape it)");
      if (c == '\\') {
        if (++pos_ >= text_.size()) return fail("unterminated string");
        char e = text_[pos_++];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            std::uint32_t code = 0;
            if (!read_hex4(code)) return false;
            if (code >= 0xDC00 && code <= 0xDFFF) return fail("lone low surrogate in a \\u escape");
            if (code >= 0xD800 && code <= 0xDBFF) {
              std::uint32_t low = 0;
              if (text_.substr(pos_, 2) != "\\u") return fail("lone high surrogate in a \\u escape");
              pos_ += 2;
              if (!read_hex4(low)) return false;
              if (low < 0xDC00 || low > 0xDFFF) return fail("lone high surrogate in a \\u escape");
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            }
            append_utf8(out, code);
            break;
          }
          default:
            return fail("invalid escape in a string");
        }
        continue;
      }
      std::size_t n = utf8_sequence_length(text_, pos_);
      if (n == 0) return fail("invalid UTF-8 in a string");
      out.append(text_.substr(pos_, n));
      pos_ += n;
    }
  }

  bool read_number(Value& out) {
    std::size_t start = pos_;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (!digit()) return fail(pos_ == start ? "expected a JSON value" : "expected a digit");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) ++pos_;
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (!digit()) return fail("expected a digit after '.'");
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return fail("expected a digit in the exponent");
      while (digit()) ++pos_;
    }
    std::string_view number = text_.substr(start, pos_ - start);
    if (integral) {
      out = Value::integer(std::string(number));
      return true;
    }
    double d = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), d);
    if (end != number.data() + number.size()) return fail("invalid number");
    if (error == std::errc::result_out_of_range && std::abs(d) > 1) return fail("number out of range");
    out = Value(d);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  const char* why_ = "";
};

}  // namespace detail

inline bool parse_json(std::string_view text, Value& out, std::string& error, std::size_t* error_offset) {
  detail::JsonReader reader(text);
  bool ok = reader.read_document(out, error);
  if (!ok && error_offset) *error_offset = reader.offset();
  return ok;
}

namespace detail {

/// Walks `text` once, handing runs that need no change to `run` and escapes or replacements to
/// `special`: quote, backslash and control characters escaped; each maximal ill-formed UTF-8 subpart
/// replaced with U+FFFD.
template <class Run, class Special>
void escape_json(std::string_view text, Run&& run, Special&& special) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    std::size_t bad = 0;
    if (c >= 0x80) {
      if (std::size_t n = utf8_sequence_length(text, i, bad)) {
        i += n;
        continue;
      }
    }
    run(text.substr(start, i - start));
    switch (c) {
      case '"':
        special("\\\"");
        break;
      case '\\':
        special("\\\\");
        break;
      case '\n':
        special("\\n");
        break;
      case '\r':
        special("\\r");
        break;
      case '\t':
        special("\\t");
        break;
      case '\b':
        special("\\b");
        break;
      case '\f':
        special("\\f");
        break;
      default:
        if (c < 0x20) {
          const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          special(std::string_view(escaped, 6));
        } else {
          special("\xEF\xBF\xBD");  // U+FFFD for each maximal ill-formed subpart
        }
    }
    i += c >= 0x80 ? bad : 1;
    start = i;
  }
  run(text.substr(start));
}

}  // namespace detail

inline void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  detail::escape_json(
      text, [&](std::string_view run) { out.append(run); }, [&](std::string_view s) { out.append(s); });
  out += '"';
}

inline std::size_t json_string_size(std::string_view text) {
  std::size_t size = 2;
  detail::escape_json(
      text, [&](std::string_view run) { size += run.size(); }, [&](std::string_view s) { size += s.size(); });
  return size;
}

inline void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string_view text(buffer, error == std::errc() ? static_cast<std::size_t>(end - buffer) : 0);
  // As JavaScript writes exponents (so lines compare equal to official clients'): 1e-7, 1e+21.
  auto e = text.find('e');
  if (e == std::string_view::npos) {
    out.append(text);
    return;
  }
  out.append(text.substr(0, e + 1));
  std::string_view exponent = text.substr(e + 1);
  char sign = exponent.front();
  exponent.remove_prefix(1);
  while (exponent.size() > 1 && exponent.front() == '0') exponent.remove_prefix(1);
  out += sign;
  out.append(exponent);
}

inline void append_json_number(std::string& out, std::int64_t i) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, i);
  out.append(buffer, error == std::errc() ? static_cast<std::size_t>(end - buffer) : 0);
}

inline void write_json(const Value& value, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::null:
      out += "null";
      break;
    case Value::Kind::boolean:
      out += value.as_bool() ? "true" : "false";
      break;
    case Value::Kind::integer:
      out += value.as_string();
      break;
    case Value::Kind::number:
      append_json_number(out, value.as_double());
      break;
    case Value::Kind::string:
      append_json_string(out, value.as_string());
      break;
    case Value::Kind::array:
      out += '[';
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i) out += ',';
        write_json(value[i], out);
      }
      out += ']';
      break;
    case Value::Kind::object:
      out += '{';
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, value.key(i));
        out += ':';
        write_json(value[i], out);
      }
      out += '}';
      break;
  }
}

inline std::string to_json(const Value& value) {
  std::string out;
  write_json(value, out);
  return out;
}

inline std::string Value::to_text(std::string_view list_separator) const {
  switch (kind_) {
    case Kind::null:
      return {};
    case Kind::string:
    case Kind::integer:
      return text_;
    case Kind::array: {
      // A list of scalars reads as a list; one that nests arrays or objects only reads right as JSON.
      for (const auto& item : items_)
        if (item.is_array() || item.is_object()) return to_json(*this);
      std::string out;
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i) out += list_separator;
        const Value& item = items_[i];
        std::string text = item.to_text(list_separator);
        // An item that holds the separator (or starts with a quote) is quoted, so the list reads back.
        bool quote =
            item.is_string() && !list_separator.empty() &&
            (text.find(list_separator) != std::string::npos || (!text.empty() && text.front() == '"'));
        if (quote)
          append_json_string(out, text);
        else
          out += text;
      }
      return out;
    }
    default:
      return to_json(*this);
  }
}

}  // namespace pipehost
