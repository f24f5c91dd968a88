#include "user_template.hpp"

#include <algorithm>
#include <stdexcept>

namespace pipehost::prompt_template {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

/// Line and column (1-based) of a byte offset.
std::pair<std::size_t, std::size_t> position_of(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  return {line, column};
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

std::string closest_match(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

UserTemplate UserTemplate::compile(std::string_view text, std::string origin) {
  UserTemplate compiled;
  compiled.origin_ = std::move(origin);
  const auto fail = [&](std::size_t offset, const std::string& what) {
    const auto [line, column] = position_of(text, offset);
    throw std::runtime_error(compiled.origin_ + ": line " + std::to_string(line) + ", column " +
                             std::to_string(column) + ": " + what);
  };
  const auto add_literal = [&](std::string_view literal) {
    if (literal.empty()) return;
    compiled.literal_bytes_ += literal.size();
    if (!compiled.segments_.empty() && !compiled.segments_.back().placeholder)
      compiled.segments_.back().text += literal;
    else
      compiled.segments_.push_back(Segment{.text = std::string(literal)});
  };

  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find(kOpen, pos);
    if (open == std::string_view::npos) {
      add_literal(text.substr(pos));
      break;
    }
    add_literal(text.substr(pos, open - pos));
    const std::size_t close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos)
      fail(open, "\"{{\" is not closed (expected {{column}} or {{column | json}})");
    const std::string_view inside = text.substr(open + kOpen.size(), close - open - kOpen.size());

    const std::size_t bar = inside.find('|');
    const std::string_view name = trim(inside.substr(0, bar));
    Insertion insertion = Insertion::text;
    if (bar != std::string_view::npos) {
      const std::string_view filter = trim(inside.substr(bar + 1));
      if (filter != "json")
        fail(open, "unknown filter \"" + std::string(filter) + "\" in {{" + std::string(inside) +
                       "}} (the only filter is json)");
      insertion = Insertion::json_string;
    }
    if (name.empty()) fail(open, "empty placeholder {{" + std::string(inside) + "}}");
    if (name.find_first_of("{}\n\r") != std::string_view::npos)
      fail(open, "invalid placeholder {{" + std::string(inside) +
                     "}} (names cannot contain braces or line breaks)");

    const auto [line, column] = position_of(text, open);
    compiled.segments_.push_back(Segment{.text = std::string(name),
                                         .placeholder = true,
                                         .insertion = insertion,
                                         .line = line,
                                         .column_number = column});
    pos = close + kClose.size();
  }
  return compiled;
}

void UserTemplate::bind(const std::vector<std::string>& columns) {
  values_needed_ = 0;
  for (auto& segment : segments_) {
    if (!segment.placeholder) continue;
    const auto it = std::find(columns.begin(), columns.end(), segment.text);
    if (it == columns.end()) {
      std::string message = origin_ + ": line " + std::to_string(segment.line) + ", column " +
                            std::to_string(segment.column_number) + ": unknown placeholder {{" +
                            segment.text + "}}";
      const std::string suggestion = closest_match(segment.text, columns);
      if (!suggestion.empty()) message += " (did you mean {{" + suggestion + "}}?)";
      message += "; available columns: " + (columns.empty() ? std::string("(none)") : join(columns));
      throw std::runtime_error(message);
    }
    segment.column = static_cast<std::size_t>(it - columns.begin());
    if (segment.column + 1 > values_needed_) {
      values_needed_ = segment.column + 1;
      last_column_name_ = segment.text;
    }
  }
  bound_ = true;
}

void UserTemplate::render(const std::vector<Value>& values, std::string& out) const {
  if (!bound_) throw std::logic_error(origin_ + ": render before bind");
  if (values.size() < values_needed_)
    throw std::runtime_error("row has " + std::to_string(values.size()) +
                             " values but the template uses column " + std::to_string(values_needed_) + " (" +
                             last_column_name_ + ")");
  std::size_t size = literal_bytes_;
  for (const auto& segment : segments_)
    if (segment.placeholder) size += values[segment.column].as_string().size() + 2;
  out.reserve(out.size() + size);
  for (const auto& segment : segments_) {
    const Value* value = segment.placeholder ? &values[segment.column] : nullptr;
    if (!value) {
      out += segment.text;
    } else if (segment.insertion == Insertion::text) {
      if (value->is_string())
        out += value->as_string();
      else
        out += value->to_text();
    } else {
      write_json(*value, out);  // a string becomes a quoted JSON string; other values stay as they are
    }
  }
}

std::vector<std::string> UserTemplate::placeholder_names() const {
  std::vector<std::string> names;
  for (const auto& segment : segments_)
    if (segment.placeholder) names.push_back(segment.text);
  return names;
}

}  // namespace pipehost::prompt_template
