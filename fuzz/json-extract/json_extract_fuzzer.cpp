// libFuzzer target: arbitrary bytes as a model answer, through the extractor (accept-any-object and
// songs-schema checks) and the full answer -> columns path. Besides crashes, sanitizer reports and hangs,
// it checks the extractor's promises:
//   - an accepted span is itself strict JSON equal to the accepted object;
//   - whole_text is only claimed for text that is one strict JSON document (after a UTF-8 BOM);
//   - a failure always carries a reason, and a success fills one field per column.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>

#include "json_extractor.hpp"
#include "markdown_json_parser.hpp"
#include "response_schema.hpp"

namespace {

namespace json = boost::json;
using namespace pipehost::markdown_json;

constexpr const char* kSongsSchema = R"({
  "type": "OBJECT",
  "properties": {
    "genre": {"type": "STRING"},
    "subgenres": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": 3},
    "energy": {"type": "STRING", "enum": ["High", "Medium", "Low"]},
    "mood": {"type": "STRING"},
    "accessibility": {"type": "STRING", "enum": ["Eclectic", "Timeless", "Commercial", "Cheesy"]},
    "era": {"type": "STRING", "nullable": true},
    "year": {"type": "INTEGER"},
    "meta": {"type": "OBJECT", "properties": {"score": {"type": "NUMBER"}}, "required": ["score"]}
  },
  "required": ["genre", "energy"]
})";

void require(bool condition) {
  if (!condition) std::abort();
}

void check_extraction(std::string_view text, const Extraction& found) {
  if (!found.ok) {
    require(!found.error.empty());
    require(found.value.is_null());
    return;
  }
  require(found.value.is_object());
  require(found.begin < found.end && found.end <= text.size());
  json::error_code ec;
  const json::value strict = json::parse(text.substr(found.begin, found.end - found.begin), ec);
  require(!ec);
  if (found.whole_text) {
    std::string_view document = text;
    if (document.substr(0, 3) == "\xEF\xBB\xBF") document.remove_prefix(3);
    const json::value whole = json::parse(document, ec);
    require(!ec && whole == found.value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ResponseSchema schema = ResponseSchema::parse(kSongsSchema, "songs schema");
  static const AnswerParser parser(ResponseSchema::parse(kSongsSchema, "songs schema"), "; ",
                                   ValidationOptions{.case_insensitive_enums = true});
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto accept_any = [](json::object&) { return std::string(); };
  const Extraction any = extract_json_object(text, accept_any);
  check_extraction(text, any);

  const auto songs = [](json::object& object) { return schema.validate(object, {}); };
  const Extraction valid = extract_json_object(text, songs);
  check_extraction(text, valid);
  if (valid.ok) require(any.ok);  // a schema can only narrow what is accepted

  std::vector<pipehost::Value> fields;
  const pipehost::Status status = parser.parse(text, fields);
  if (status)
    require(fields.size() == parser.columns().size());
  else
    require(status.is_retry() && !status.message().empty());
  return 0;
}
