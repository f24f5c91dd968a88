#include "json_extractor.hpp"

#include <array>
#include <utility>
#include <vector>

#include <boost/json/parser.hpp>

namespace pipehost::markdown_json {
namespace {

namespace json = boost::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t npos = std::string_view::npos;

/// Whitespace as RFC 8259 defines it (what may surround a valid JSON document).
bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
/// Whitespace as models and editors produce it (also form feed and vertical tab).
bool is_space(char c) {
  return is_json_space(c) || c == '\f' || c == '\v';
}

std::size_t skip_spaces(std::string_view text, std::size_t pos, std::size_t limit) {
  while (pos < limit && is_space(text[pos])) ++pos;
  return pos;
}

bool only_json_space(std::string_view text) {
  for (char c : text)
    if (!is_json_space(c)) return false;
  return true;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// One past the '}' that closes the '{' at `open`, or npos when the text ends first. Braces inside JSON
/// strings (with backslash escapes) do not count, so "{\"a\": \"}\"}" closes at its last brace.
std::size_t find_closing_brace(std::string_view text, std::size_t open) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{')
      ++depth;
    else if (c == '}' && --depth == 0)
      return i + 1;
  }
  return npos;
}

/// Length of the run of backticks starting at `pos`.
std::size_t backtick_run(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && text[end] == '`') ++end;
  return end - pos;
}

/// A markdown code fence: ``` (or longer) + info string, content, closing fence of at least as many
/// backticks (or the end of the text when the answer was cut off).
struct Fence {
  std::string_view tag;
  std::size_t content_begin = 0;
  std::size_t content_end = 0;
  /// Where to look for the next fence.
  std::size_t next = 0;
};

/// The first fence opening at or after `from`, if any.
bool next_fence(std::string_view text, std::size_t from, Fence& fence) {
  const std::size_t open = text.find("```", from);
  if (open == npos) return false;
  const std::size_t ticks = backtick_run(text, open);
  // The tag is the info string's first word; models also write ```json{...} on one line.
  std::size_t tag_end = open + ticks;
  while (tag_end < text.size() && !is_space(text[tag_end]) && text[tag_end] != '{' && text[tag_end] != '[')
    ++tag_end;
  fence.tag = text.substr(open + ticks, tag_end - open - ticks);
  fence.content_begin = tag_end;
  std::size_t search = tag_end;
  while (true) {
    const std::size_t close = text.find("```", search);
    if (close == npos) {
      fence.content_end = fence.next = text.size();
      return true;
    }
    const std::size_t run = backtick_run(text, close);
    if (run >= ticks) {
      fence.content_end = close;
      fence.next = close + run;
      return true;
    }
    search = close + run;
  }
}

/// Which failure describes an answer best: a parsed object the check rejected beats a JSON value that is
/// not an object, which beats text that does not parse.
enum class FailureKind : std::uint8_t { none, invalid_json, not_object, rejected };

struct Failure {
  FailureKind kind = FailureKind::none;
  /// invalid_json: bytes the parser got through before the error (the candidate that got furthest is
  /// the most JSON-like, e.g. a truncated answer rather than a stray brace in prose).
  std::size_t progress = 0;
  std::size_t offset = 0;
  std::string message;

  void offer(FailureKind k, std::size_t p, std::size_t o, std::string m) {
    const bool better = k > kind || (k == kind && k == FailureKind::invalid_json && p > progress);
    if (!better) return;
    kind = k;
    progress = p;
    offset = o;
    message = std::move(m);
  }

  std::string describe() const {
    switch (kind) {
      case FailureKind::none:
        return "no JSON found";
      case FailureKind::invalid_json:
        return "invalid JSON at offset " + std::to_string(offset) + ": " + message;
      case FailureKind::not_object:
        return "expected a JSON object, got " + message;
      case FailureKind::rejected:
        return message;
    }
    return message;
  }
};

/// The search over one answer. Holds the reusable parser (its scratch stack lives in this object).
class Search {
 public:
  Search(std::string_view text, const ObjectCheck& check, json::storage_ptr storage,
         const ExtractOptions& options)
      : text_(text),
        check_(check),
        storage_(std::move(storage)),
        options_(options),
        parser_(storage_, parse_options(options), scratch_.data(), scratch_.size()),
        // The result holds its value in the caller's storage, so moving the accepted tree into it is a
        // pointer swap instead of a deep copy into the default allocator.
        result_{.value = json::value(storage_), .error = {}} {}

  Extraction run() {
    if (try_bare() || try_fences() || try_prose()) return std::move(result_);
    result_.error = failure_.describe();
    return std::move(result_);
  }

 private:
  enum class Outcome : std::uint8_t { accepted, parsed_rejected, invalid };

  static json::parse_options parse_options(const ExtractOptions& options) {
    json::parse_options o;
    o.max_depth = options.max_depth;
    return o;
  }

  /// Parses the JSON value starting at `begin` (text after it, up to `limit`, is allowed) and offers it
  /// to the check. `record_invalid`: whether a parse error counts as a failure worth reporting. `whole`:
  /// only accept a value that fills text[begin, limit) (whitespace aside).
  Outcome attempt(std::size_t begin, std::size_t limit, JsonOrigin origin, bool record_invalid, bool whole) {
    parser_.reset(storage_);
    json::error_code ec;
    const std::size_t consumed = parser_.write_some(text_.data() + begin, limit - begin, ec);
    if (ec) {
      if (record_invalid) failure_.offer(FailureKind::invalid_json, consumed, begin + consumed, ec.message());
      return Outcome::invalid;
    }
    std::size_t end = begin + consumed;
    while (end > begin && is_json_space(text_[end - 1])) --end;  // write_some also eats trailing spaces
    if (whole && !only_json_space(text_.substr(end, limit - end))) return Outcome::invalid;

    json::value value = parser_.release();
    if (!value.is_object()) {
      tried_.emplace_back(begin, end);
      failure_.offer(FailureKind::not_object, 0, begin, json_kind_name(value));
      return Outcome::parsed_rejected;
    }
    std::string reason = check_(value.as_object());
    if (!reason.empty()) {
      tried_.emplace_back(begin, end);
      failure_.offer(FailureKind::rejected, 0, begin, std::move(reason));
      return Outcome::parsed_rejected;
    }
    result_.ok = true;
    result_.value = std::move(value);
    result_.origin = origin;
    result_.begin = begin;
    result_.end = end;
    return Outcome::accepted;
  }

  /// Offers the JSON that starts at `begin`: an object or array is a candidate even with text after it;
  /// anything else only if it is the whole of text[begin, limit) (so "1. First ..." is not a number).
  bool try_value_at(std::size_t begin, std::size_t limit, JsonOrigin origin) {
    if (begin >= limit) return false;
    const bool structured = text_[begin] == '{' || text_[begin] == '[';
    return attempt(begin, limit, origin, structured, !structured) == Outcome::accepted;
  }

  bool try_bare() {
    std::size_t start = text_.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
    const std::size_t bom = start;
    start = skip_spaces(text_, start, text_.size());
    if (!try_value_at(start, text_.size(), JsonOrigin::bare)) return false;
    result_.whole_text =
        only_json_space(text_.substr(bom, start - bom)) && only_json_space(text_.substr(result_.end));
    return true;
  }

  bool try_fences() {
    Fence fence;
    for (std::size_t from = 0; from < text_.size() && next_fence(text_, from, fence); from = fence.next) {
      if (!fence.tag.empty() && !iequals_ascii(fence.tag, "json")) continue;
      const std::size_t begin = skip_spaces(text_, fence.content_begin, fence.content_end);
      std::size_t end = fence.content_end;
      while (end > begin && is_space(text_[end - 1])) --end;
      if (try_value_at(begin, end, JsonOrigin::fence)) return true;
    }
    return false;
  }

  /// The span already tried that contains `pos`, if any.
  const std::pair<std::size_t, std::size_t>* tried_span(std::size_t pos) const {
    for (const auto& span : tried_)
      if (pos >= span.first && pos < span.second) return &span;
    return nullptr;
  }

  bool try_prose() {
    std::size_t unclosed = 0;
    for (std::size_t pos = text_.find('{'); pos != npos; pos = text_.find('{', pos)) {
      if (const auto* span = tried_span(pos)) {
        pos = span->second;
        continue;
      }
      const std::size_t close = find_closing_brace(text_, pos);
      if (close == npos) {
        // Truncated JSON, or a stray brace in prose before the real object: report the former, look past
        // the latter. Bounded, since each such try scans to the end of the text.
        if (++unclosed > options_.max_unclosed_braces) break;
        if (attempt(pos, text_.size(), JsonOrigin::prose, true, false) == Outcome::accepted) return true;
        pos += 1;
        continue;
      }
      if (attempt(pos, close, JsonOrigin::prose, true, false) == Outcome::accepted) return true;
      pos = close;
    }
    return false;
  }

  std::string_view text_;
  const ObjectCheck& check_;
  json::storage_ptr storage_;
  ExtractOptions options_;
  std::array<unsigned char, 2048> scratch_;
  json::parser parser_;
  /// Spans that parsed as JSON (accepted or not); the prose scan does not look into them again.
  std::vector<std::pair<std::size_t, std::size_t>> tried_;
  Failure failure_;
  Extraction result_;
};

}  // namespace

const char* to_string(JsonOrigin origin) {
  switch (origin) {
    case JsonOrigin::bare:
      return "bare";
    case JsonOrigin::fence:
      return "fence";
    case JsonOrigin::prose:
      return "prose";
  }
  return "unknown";
}

const char* json_kind_name(const boost::json::value& value) {
  switch (value.kind()) {
    case json::kind::object:
      return "object";
    case json::kind::array:
      return "array";
    case json::kind::string:
      return "string";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::bool_:
      return "boolean";
    case json::kind::null:
      return "null";
  }
  return "unknown";
}

Extraction extract_json_object(std::string_view text, const ObjectCheck& check,
                               boost::json::storage_ptr storage, const ExtractOptions& options) {
  Search search(text, check, std::move(storage), options);
  return search.run();
}

}  // namespace pipehost::markdown_json
