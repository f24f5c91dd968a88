#include "request_encoder.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

namespace pipehost::gemini {

namespace json = boost::json;

struct RequestEncoder::Shared {
  /// Held so the cached address cannot be reused by another string while the entry lives.
  std::shared_ptr<const std::string> source;
  /// A JSON string literal (instruction) or compact JSON (schema).
  std::string json;
};

struct RequestEncoder::Extra {
  std::string text;
  bool has_contents = false;
  bool has_system_instruction = false;
  bool has_tools = false;
  /// Keys of an extra "generationConfig" object; they win over ours.
  std::set<std::string, std::less<>> generation_keys;
  /// ,"k":v for each extra generationConfig key.
  std::string generation_members;
  /// ,"k":v for every other extra key (a non-object generationConfig replaces ours wholesale).
  std::string members;
};

namespace {

constexpr std::size_t kCacheEntries = 4;

/// Output that appends to a string.
struct StringOut {
  std::string& text;
  void raw(std::string_view s) { text.append(s); }
  void ch(char c) { text.push_back(c); }
  void str(std::string_view s) { append_json_string(text, s); }
  template <class Number>
  void num(Number n) {
    append_json_number(text, n);
  }
};

/// Output that only counts bytes (for exact encoded sizes without building lines).
struct CountOut {
  std::uint64_t size = 0;
  std::string scratch;
  void raw(std::string_view s) { size += s.size(); }
  void ch(char) { ++size; }
  void str(std::string_view s) { size += json_string_size(s); }
  template <class Number>
  void num(Number n) {
    scratch.clear();
    append_json_number(scratch, n);
    size += scratch.size();
  }
};

std::string member(std::string_view key, const json::value& value) {
  std::string out(",");
  out.append(json::serialize(json::string(key))).append(":").append(json::serialize(value));
  return out;
}

template <class Entry, class Make>
std::shared_ptr<const Entry> cached(std::vector<std::shared_ptr<const Entry>>& cache,
                                    const std::shared_ptr<const std::string>& source, Make&& make) {
  for (const auto& entry : cache) {
    if (entry->source == source) return entry;
  }
  auto entry = std::make_shared<Entry>();
  entry->source = source;
  entry->json = make(*source);
  if (cache.size() >= kCacheEntries) cache.erase(cache.begin());
  cache.push_back(entry);
  return entry;
}

}  // namespace

std::shared_ptr<const RequestEncoder::Shared> RequestEncoder::system_instruction(
    const std::shared_ptr<const std::string>& text) {
  std::lock_guard lock(mutex_);
  return cached<Shared>(instructions_, text, [](const std::string& s) {
    std::string literal;
    literal.reserve(s.size() + s.size() / 16 + 2);
    append_json_string(literal, s);
    return literal;
  });
}

/// The response schema (JSON Schema, see pipehost::GenerationSettings) in the OpenAPI dialect of
/// Gemini's `responseSchema`: upper-case types, `nullable`, and `propertyOrdering` so the answer's keys
/// come in column order.
json::value to_gemini_schema(const json::value& schema);

std::shared_ptr<const RequestEncoder::Shared> RequestEncoder::schema(
    const std::shared_ptr<const std::string>& text) {
  std::lock_guard lock(mutex_);
  return cached<Shared>(schemas_, text, [](const std::string& s) {
    boost::system::error_code ec;
    json::value parsed = json::parse(s, ec);
    if (ec) throw std::invalid_argument("the response schema is not valid JSON: " + ec.message());
    if (!parsed.is_object()) throw std::invalid_argument("the response schema must be a JSON object");
    return json::serialize(to_gemini_schema(parsed));
  });
}

json::value to_gemini_schema(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const auto& item : schema.get_array()) out.push_back(to_gemini_schema(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  auto upper = [](std::string_view name) {
    std::string out(name);
    for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return out;
  };
  json::object out;
  bool nullable = false;
  for (const auto& [key, value] : schema.get_object()) {
    if (key == "type") {
      // JSON Schema's ["string", "null"] is OpenAPI's "STRING" with nullable.
      std::string type;
      if (value.is_string()) type = upper(value.get_string());
      if (value.is_array()) {
        for (const auto& t : value.get_array()) {
          if (!t.is_string()) continue;
          if (t.get_string() == "null")
            nullable = true;
          else if (type.empty())
            type = upper(t.get_string());
        }
      }
      if (!type.empty()) out["type"] = type;
    } else if (key == "properties" && value.is_object()) {
      json::object properties;
      for (const auto& [name, property] : value.get_object()) properties[name] = to_gemini_schema(property);
      out["properties"] = std::move(properties);
    } else if (key == "items" || key == "anyOf") {
      out[key] = to_gemini_schema(value);
    } else if (key != "propertyOrdering" && key != "additionalProperties" && key != "$schema") {
      out[key] = value;
    }
  }
  if (nullable) out["nullable"] = true;
  // Gemini writes an answer's keys in alphabetical order unless told another: say the column order
  // (the order of `properties`) only when it is not alphabetical.
  if (const auto* properties = out.if_contains("properties"); properties && properties->is_object()) {
    json::array order;
    bool alphabetical = true;
    for (const auto& [name, property] : properties->get_object()) {
      if (!order.empty() && order.back().get_string() > name) alphabetical = false;
      order.emplace_back(name);
    }
    if (!alphabetical) out["propertyOrdering"] = std::move(order);
  }
  return out;
}

std::shared_ptr<const RequestEncoder::Extra> RequestEncoder::extra(const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    if (last_extra_ && last_extra_->text == text) return last_extra_;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) throw std::invalid_argument("extra_json is not valid JSON: " + ec.message());
  if (!parsed.is_object()) throw std::invalid_argument("extra_json must be a JSON object");
  auto entry = std::make_shared<Extra>();
  entry->text = text;
  for (const auto& [key, value] : parsed.get_object()) {
    if (key == "generationConfig" && value.is_object()) {
      for (const auto& [gkey, gvalue] : value.get_object()) {
        entry->generation_keys.emplace(gkey);
        entry->generation_members += member(gkey, gvalue);
      }
      continue;
    }
    entry->has_contents = entry->has_contents || key == "contents";
    entry->has_system_instruction = entry->has_system_instruction || key == "systemInstruction";
    entry->has_tools = entry->has_tools || key == "tools";
    if (key == "generationConfig") entry->generation_keys.emplace("*");  // replaced wholesale
    entry->members += member(key, value);
  }
  std::lock_guard lock(mutex_);
  last_extra_ = entry;
  return entry;
}

template <class Out>
void RequestEncoder::encode_request(Out& out, const Request& request) {
  std::shared_ptr<const Extra> extra_fields;
  if (!request.extra_json.empty()) extra_fields = extra(request.extra_json);
  static const Extra kNoExtra;
  const Extra& x = extra_fields ? *extra_fields : kNoExtra;

  bool first = true;
  auto key = [&](std::string_view name) {
    out.raw(first ? "{\"" : ",\"");
    first = false;
    out.raw(name);
    out.raw("\":");
  };

  if (!x.has_contents) {
    key("contents");
    out.raw("[{\"parts\":[");
    for (std::size_t i = 0; i < request.user_parts.size(); ++i) {
      out.raw(i == 0 ? "{\"text\":" : ",{\"text\":");
      out.str(request.user_parts[i]);
      out.ch('}');
    }
    out.raw("],\"role\":\"user\"}]");
  }
  if (request.system_instruction && !request.system_instruction->empty() && !x.has_system_instruction) {
    auto instruction = system_instruction(request.system_instruction);
    key("systemInstruction");
    out.raw("{\"parts\":[{\"text\":");
    out.raw(instruction->json);
    out.raw("}],\"role\":\"user\"}");
  }
  if (!request.tools.empty() && !x.has_tools) {
    key("tools");
    out.ch('[');
    for (std::size_t i = 0; i < request.tools.size(); ++i) {
      if (i > 0) out.ch(',');
      const std::string& tool = request.tools[i];
      if (tool == "web_search" || tool == "google_search") {
        out.raw("{\"googleSearch\":{}}");
      } else if (tool == "code_execution") {
        out.raw("{\"codeExecution\":{}}");
      } else if (tool == "url_context") {
        out.raw("{\"urlContext\":{}}");
      } else {
        throw std::invalid_argument("unknown tool '" + tool +
                                    "' (gemini-batch knows web_search, code_execution, url_context)");
      }
    }
    out.ch(']');
  }

  if (!x.generation_keys.contains("*")) {
    const GenerationSettings& g = request.generation;
    bool open = false;
    auto field = [&](std::string_view name) {
      if (x.generation_keys.contains(name)) return false;
      if (!open) key("generationConfig");
      out.raw(open ? ",\"" : "{\"");
      open = true;
      out.raw(name);
      out.raw("\":");
      return true;
    };
    if (g.temperature && field("temperature")) out.num(*g.temperature);
    if (g.top_p && field("topP")) out.num(*g.top_p);
    if (g.top_k && field("topK")) out.num(*g.top_k);
    if (g.max_output_tokens && field("maxOutputTokens")) out.num(*g.max_output_tokens);
    if (g.seed && field("seed")) out.num(*g.seed);
    bool has_schema = g.response_schema_json && !g.response_schema_json->empty();
    std::string_view mime = g.response_mime_type;
    if (mime.empty() && has_schema) mime = "application/json";  // a schema needs JSON output
    if (!mime.empty() && field("responseMimeType")) out.str(mime);
    if (has_schema) {
      auto compact = schema(g.response_schema_json);
      if (field("responseSchema")) out.raw(compact->json);
    }
    if (g.thinking_budget && field("thinkingConfig")) {
      out.raw("{\"thinkingBudget\":");
      out.num(*g.thinking_budget);
      out.ch('}');
    }
    if (!x.generation_members.empty()) {
      if (!open) {
        key("generationConfig");
        out.ch('{');
        out.raw(std::string_view(x.generation_members).substr(1));
      } else {
        out.raw(x.generation_members);
      }
      open = true;
    }
    if (open) out.ch('}');
  }

  if (!x.members.empty()) {
    if (first) {
      out.ch('{');
      out.raw(std::string_view(x.members).substr(1));
      first = false;
    } else {
      out.raw(x.members);
    }
  }
  if (first) out.ch('{');
  out.ch('}');
}

template <class Out>
void RequestEncoder::encode_line(Out& out, const Request& request) {
  out.raw("{\"key\":");
  out.str(request.key);
  out.raw(",\"request\":");
  encode_request(out, request);
  out.raw("}\n");
}

void RequestEncoder::append_request(std::string& out, const Request& request) {
  StringOut writer{out};
  encode_request(writer, request);
}

void RequestEncoder::append_line(std::string& out, const Request& request) {
  StringOut writer{out};
  encode_line(writer, request);
}

std::uint64_t RequestEncoder::line_size(const Request& request) {
  CountOut counter;
  encode_line(counter, request);
  return counter.size;
}

}  // namespace pipehost::gemini
