#include "emulator/answers/answer_generator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "emulator/util/ids.hpp"
#include "emulator/util/json_util.hpp"

namespace pipehost::emulator {

namespace {

constexpr const char* kWords[] = {
    "amber",  "harbor", "velvet", "echo",   "river",  "golden",  "midnight", "signal",  "paper",  "lantern",
    "summer", "static", "orchid", "copper", "winter", "silver",  "garden",   "neon",    "canyon", "ember",
    "rhythm", "shadow", "marble", "ocean",  "willow", "thunder", "crystal",  "maple",   "violet", "horizon",
    "meadow", "pulse",  "cedar",  "falcon", "glass",  "harvest", "island",   "jasmine", "kettle", "lunar"};
constexpr std::size_t kWordCount = sizeof kWords / sizeof kWords[0];

constexpr const char* kProseSentences[] = {
    "That is a great question, and there are a few ways to look at it.",
    "From what I can tell, the most likely answer depends on the context you have in mind.",
    "Many listeners would describe it as warm, upbeat and a little nostalgic.",
    "I would start by considering the era and the style of the performer.",
    "There is no single right answer here, but the evidence points in one direction.",
    "If you share a bit more detail, I can give you a more precise answer.",
    "In short, it fits comfortably within the mainstream of its time.",
    "Happy to help you dig deeper into any part of this."};
constexpr std::size_t kProseCount = sizeof kProseSentences / sizeof kProseSentences[0];

constexpr int kMaxSchemaDepth = 24;

void collect_parts_text(const json::value& holder, std::string& out, std::size_t& bytes, ContentHash& hash) {
  // Content: {"parts":[{"text":...}]}, or a bare string (lenient).
  if (holder.is_string()) {
    auto text = holder.get_string();
    out.append(text.data(), text.size());
    bytes += text.size();
    hash.update(text);
    hash.separator();
    return;
  }
  if (!holder.is_object()) return;
  const json::value* parts = find_any(holder.get_object(), {"parts"});
  if (!parts || !parts->is_array()) return;
  for (const auto& part : parts->get_array()) {
    if (!part.is_object()) continue;
    auto it = part.get_object().find("text");
    if (it == part.get_object().end() || !it->value().is_string()) continue;
    auto text = it->value().get_string();
    if (!out.empty()) out.push_back('\n');
    out.append(text.data(), text.size());
    bytes += text.size();
    hash.update(text);
    hash.separator();
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::int64_t int_member(const json::object& schema, std::string_view name, std::int64_t fallback) {
  return int64_or(schema, {name}, fallback);
}

std::string plausible_words(SplitMix64& random, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) text.push_back(' ');
    text += kWords[random.below(kWordCount)];
  }
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

class SchemaValueMaker {
 public:
  SchemaValueMaker(const json::value& root, SplitMix64& random) : root_(root), random_(random) {}

  json::value make(const json::value& schema_value, int depth) {
    if (depth > kMaxSchemaDepth || !schema_value.is_object()) return json::value(nullptr);
    const json::object& schema = resolve(schema_value.get_object());
    if (auto it = schema.find("const"); it != schema.end()) return it->value();
    for (const char* choice : {"anyOf", "oneOf", "any_of", "one_of"}) {
      if (auto it = schema.find(choice);
          it != schema.end() && it->value().is_array() && !it->value().get_array().empty()) {
        const auto& options = it->value().get_array();
        return make(options[random_.below(options.size())], depth + 1);
      }
    }
    std::string type;
    bool nullable = false;
    if (auto it = schema.find("type"); it != schema.end()) {
      if (it->value().is_string()) {
        type = lower(it->value().get_string());
      } else if (it->value().is_array()) {
        for (const auto& candidate : it->value().get_array()) {
          if (!candidate.is_string()) continue;
          std::string name = lower(candidate.get_string());
          if (name == "null") {
            nullable = true;
          } else if (type.empty()) {
            type = name;
          }
        }
      }
    }
    if (auto it = schema.find("nullable"); it != schema.end() && it->value().is_bool()) {
      nullable = nullable || it->value().get_bool();
    }
    if (nullable && random_.below(8) == 0) return json::value(nullptr);
    if (auto it = schema.find("enum");
        it != schema.end() && it->value().is_array() && !it->value().get_array().empty()) {
      const auto& values = it->value().get_array();
      return values[random_.below(values.size())];
    }
    if (type.empty()) {
      if (schema.contains("properties"))
        type = "object";
      else if (schema.contains("items"))
        type = "array";
      else
        type = "string";
    }
    if (type == "object") return make_object(schema, depth);
    if (type == "array") return make_array(schema, depth);
    if (type == "integer") return make_integer(schema);
    if (type == "number") return make_number(schema);
    if (type == "boolean") return json::value(random_.below(2) == 1);
    if (type == "null") return json::value(nullptr);
    return json::value(make_string(schema));
  }

 private:
  // "$ref": "#/$defs/Name" (or "#/definitions/Name") against the root schema.
  const json::object& resolve(const json::object& schema) {
    auto it = schema.find("$ref");
    if (it == schema.end() || !it->value().is_string() || !root_.is_object()) return schema;
    std::string_view ref = it->value().get_string();
    if (ref.rfind("#/", 0) != 0) return schema;
    std::error_code ec;
    const json::value* target = root_.find_pointer(ref.substr(1), ec);
    if (!target || !target->is_object()) return schema;
    return target->get_object();
  }

  json::value make_object(const json::object& schema, int depth) {
    json::object out;
    const json::object* properties = find_object(schema, {"properties"});
    if (!properties) return out;
    for (const auto& member : *properties) out[member.key()] = make(member.value(), depth + 1);
    return out;
  }

  json::value make_array(const json::object& schema, int depth) {
    std::int64_t min_items =
        std::max<std::int64_t>(0, int_member(schema, "minItems", int_member(schema, "min_items", 1)));
    std::int64_t max_items =
        int_member(schema, "maxItems", int_member(schema, "max_items", std::max<std::int64_t>(min_items, 3)));
    max_items = std::max(max_items, min_items);
    std::int64_t count =
        min_items +
        static_cast<std::int64_t>(random_.below(static_cast<std::uint64_t>(max_items - min_items + 1)));
    json::array out;
    const json::value* items = find_any(schema, {"items"});
    static const json::value kStringSchema = json::object{{"type", "string"}};
    for (std::int64_t i = 0; i < count; ++i) out.push_back(make(items ? *items : kStringSchema, depth + 1));
    return out;
  }

  std::pair<double, double> bounds(const json::object& schema, double low, double high) {
    double minimum = number_or(find_any(schema, {"minimum"}), low);
    double maximum = number_or(find_any(schema, {"maximum"}), std::max(high, minimum));
    if (maximum < minimum) maximum = minimum;
    return {minimum, maximum};
  }

  json::value make_integer(const json::object& schema) {
    auto [minimum, maximum] = bounds(schema, 0, 100);
    auto low = static_cast<std::int64_t>(std::ceil(minimum));
    auto high = static_cast<std::int64_t>(std::floor(maximum));
    if (high < low) high = low;
    return json::value(low +
                       static_cast<std::int64_t>(random_.below(static_cast<std::uint64_t>(high - low) + 1)));
  }

  json::value make_number(const json::object& schema) {
    auto [minimum, maximum] = bounds(schema, 0, 1);
    double value = minimum + (maximum - minimum) * random_.uniform();
    value = std::round(value * 100) / 100;
    return json::value(std::clamp(value, minimum, maximum));
  }

  std::string make_string(const json::object& schema) {
    std::string format = lower(string_or(schema, {"format"}));
    if (format == "date-time")
      return "2024-0" + std::to_string(1 + random_.below(9)) + "-1" + std::to_string(random_.below(10)) +
             "T12:00:00Z";
    if (format == "date")
      return "2024-0" + std::to_string(1 + random_.below(9)) + "-1" + std::to_string(random_.below(10));
    if (format == "email") return kWords[random_.below(kWordCount)] + std::string("@example.com");
    if (format == "uri" || format == "url")
      return "https://example.com/" + std::string(kWords[random_.below(kWordCount)]);
    std::string text = plausible_words(random_, 1 + random_.below(4));
    auto min_length =
        static_cast<std::size_t>(std::clamp<std::int64_t>(int_member(schema, "minLength", 0), 0, 100000));
    auto max_length = int_member(schema, "maxLength", -1);
    while (text.size() < min_length) {
      text.push_back(' ');
      text += kWords[random_.below(kWordCount)];
    }
    if (max_length >= 0 && text.size() > static_cast<std::size_t>(max_length))
      text.resize(static_cast<std::size_t>(max_length));
    return text;
  }

  const json::value& root_;
  SplitMix64& random_;
};

std::string prose_text(const RequestDigest& digest) {
  SplitMix64 random(digest.hash ^ 0x9505E);
  std::string topic;
  for (char c : digest.user_text.substr(0, 60)) {
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == '"' || c == '\n' || c == '\r') c = ' ';
    topic.push_back(c);
  }
  std::string text = "Sure! Here is what I think about \"" + topic + "\". ";
  std::size_t first = random.below(kProseCount);
  std::size_t second = (first + 1 + random.below(kProseCount - 1)) % kProseCount;
  text += kProseSentences[first];
  text += ' ';
  text += kProseSentences[second];
  return text;
}

}  // namespace

std::int64_t tokens_for(std::size_t bytes) {
  return static_cast<std::int64_t>((bytes + 3) / 4);
}

RequestDigest digest_request(const json::object& request, std::string_view key) {
  RequestDigest digest;
  ContentHash hash;
  ContentHash prefix;
  hash.update(key);
  hash.separator();
  std::string system_text;
  if (const json::value* system = find_any(request, {"systemInstruction", "system_instruction"})) {
    collect_parts_text(*system, system_text, digest.prefix_bytes, hash);
  }
  digest.has_system_instruction = !system_text.empty();
  prefix.update(system_text);
  prefix.separator();
  hash.separator();
  std::size_t contents_bytes = 0;
  if (const json::value* contents = find_any(request, {"contents"})) {
    if (contents->is_array()) {
      for (const auto& content : contents->get_array())
        collect_parts_text(content, digest.user_text, contents_bytes, hash);
    } else {
      collect_parts_text(*contents, digest.user_text, contents_bytes, hash);
    }
  }
  hash.separator();
  if (const json::object* config = find_object(request, {"generationConfig", "generation_config"})) {
    digest.schema = find_any(*config, {"responseSchema", "response_schema", "responseJsonSchema",
                                       "response_json_schema", "_responseJsonSchema"});
    if (digest.schema && !digest.schema->is_object()) digest.schema = nullptr;
    if (digest.schema) {
      std::string schema_json = json::serialize(*digest.schema);
      hash.update(schema_json);
      prefix.update(schema_json);
      digest.prefix_bytes += schema_json.size();
    }
  }
  prefix.separator();
  // Tools are part of the prompt (and of the cacheable prefix) but not of the answer's hash.
  if (const json::value* tools = find_any(request, {"tools"}); tools && tools->is_array()) {
    std::string tools_json = json::serialize(*tools);
    prefix.update(tools_json);
    digest.prefix_bytes += tools_json.size();
  }
  digest.prompt_bytes = digest.prefix_bytes + contents_bytes;
  digest.prefix_hash = prefix.value();
  digest.hash = hash.value();
  return digest;
}

json::value value_for_schema(const json::value& schema, SplitMix64& random) {
  return SchemaValueMaker(schema, random).make(schema, 0);
}

std::string answer_text(const RequestDigest& digest, AnswerForm form) {
  if (form.prose || !digest.has_system_instruction || !digest.schema) return prose_text(digest);
  SplitMix64 random(digest.hash);
  std::string text = json::serialize(value_for_schema(*digest.schema, random));
  if (form.fenced) text = "```json\n" + text + "\n```";
  return text;
}

json::object generate_content_response(const json::object& request, std::string_view key,
                                       std::string_view model, AnswerForm form) {
  return generate_content_response(digest_request(request, key), model, form);
}

json::object generate_content_response(const RequestDigest& digest, std::string_view model, AnswerForm form) {
  std::string text = answer_text(digest, form);
  std::int64_t prompt_tokens = tokens_for(digest.prompt_bytes);
  std::int64_t answer_tokens = tokens_for(text.size());

  json::object part;
  part["text"] = std::move(text);
  json::object content;
  content["parts"] = json::array{std::move(part)};
  content["role"] = "model";
  json::object candidate;
  candidate["content"] = std::move(content);
  candidate["finishReason"] = "STOP";
  candidate["index"] = 0;

  json::object usage;
  usage["promptTokenCount"] = prompt_tokens;
  usage["candidatesTokenCount"] = answer_tokens;
  usage["totalTokenCount"] = prompt_tokens + answer_tokens;
  usage["promptTokensDetails"] =
      json::array{json::object{{"modality", "TEXT"}, {"tokenCount", prompt_tokens}}};

  json::object response;
  response["candidates"] = json::array{std::move(candidate)};
  response["usageMetadata"] = std::move(usage);
  response["modelVersion"] = model;
  response["responseId"] = hex16(digest.hash);
  return response;
}

}  // namespace pipehost::emulator
