// Every file of nst/JSONTestSuite (shared/data/json-test-suite) through the extractor, with a check that
// accepts any object:
//   y_* (valid JSON): objects are found as bare, whole-text JSON equal to a strict parse; other values
//       are reported as "expected a JSON object, got <kind>".
//   n_* (invalid JSON): never accepted as a JSON document. A few contain a well-formed object followed
//       or preceded by junk ({"a":"b"}#, [{}); like any answer with text around its JSON, that object is
//       recovered (not whole_text). That list is pinned below, so a change in behaviour shows up here.
//   i_* (implementation-defined): each file's outcome is pinned below and documented in
//       plugins/markdown-json-parser/README.md.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "json_extractor.hpp"
#include "test_host.hpp"

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using pipehost::markdown_json::Extraction;

const fs::path kSuiteDir = fs::path(PIPEHOST_SHARED_DIR) / "data" / "json-test-suite";

std::vector<fs::path> suite_files(char prefix) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSuiteDir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 2 && name[0] == prefix && name[1] == '_') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Extraction extract_any_object(const std::string& text) {
  const auto accept_all = [](json::object&) { return std::string(); };
  return pipehost::markdown_json::extract_json_object(text, accept_all);
}

/// What the extractor made of a file, in one comparable string.
std::string outcome(const Extraction& found) {
  if (!found.ok) return found.error;
  return std::string("object (") + to_string(found.origin) +
         (found.whole_text ? ", whole text)" : ", recovered)");
}

TEST(JsonTestSuite, AllFilesArePresent) {
  ASSERT_TRUE(fs::is_directory(kSuiteDir)) << kSuiteDir;
  EXPECT_EQ(suite_files('y').size(), 95u);
  EXPECT_EQ(suite_files('n').size(), 188u);
  EXPECT_EQ(suite_files('i').size(), 35u);
}

TEST(JsonTestSuite, ValidObjectsParseAndOtherValidValuesAreNamed) {
  std::size_t objects = 0;
  for (const auto& file : suite_files('y')) {
    SCOPED_TRACE(file.filename().string());
    const std::string text = pipehost::test::read_file(file);
    const json::value strict = json::parse(text);
    const Extraction found = extract_any_object(text);
    if (strict.is_object()) {
      ++objects;
      ASSERT_TRUE(found.ok) << found.error;
      EXPECT_TRUE(found.whole_text);
      EXPECT_EQ(found.origin, pipehost::markdown_json::JsonOrigin::bare);
      EXPECT_EQ(found.value, strict);
    } else {
      EXPECT_FALSE(found.ok);
      EXPECT_EQ(found.error, std::string("expected a JSON object, got ") +
                                 pipehost::markdown_json::json_kind_name(strict));
    }
  }
  EXPECT_EQ(objects, 12u);
}

TEST(JsonTestSuite, InvalidFilesAreNeverAcceptedAsJson) {
  // n_* files that hold a well-formed object next to junk: the object is recovered, as from an answer.
  const std::set<std::string> recovered = {
      "n_array_unclosed_with_object_inside.json",              // [{}
      "n_object_trailing_comment.json",                        // {"a":"b"}/**/
      "n_object_trailing_comment_open.json",                   // {"a":"b"}/**//
      "n_object_trailing_comment_slash_open.json",             // {"a":"b"}//
      "n_object_trailing_comment_slash_open_incomplete.json",  // {"a":"b"}/
      "n_object_with_trailing_garbage.json",                   // {"a":"b"}#
      "n_structure_incomplete_UTF8_BOM.json",                  // broken BOM, then {}
      "n_structure_object_followed_by_closing_object.json",    // {}}
      "n_structure_object_with_trailing_garbage.json",         // {"a": true} "x"
      "n_structure_trailing_#.json",                           // {"a":"b"}#{}
  };
  std::set<std::string> seen_recovered;
  for (const auto& file : suite_files('n')) {
    const std::string name = file.filename().string();
    SCOPED_TRACE(name);
    const std::string text = pipehost::test::read_file(file);
    const Extraction found = extract_any_object(text);
    EXPECT_FALSE(found.ok && found.whole_text) << "accepted invalid JSON as a document";
    if (!found.ok) {
      EXPECT_FALSE(found.error.empty());
      continue;
    }
    seen_recovered.insert(name);
    // What was recovered is itself strict JSON, and strictly smaller than the file.
    const std::string span = text.substr(found.begin, found.end - found.begin);
    EXPECT_EQ(json::parse(span), found.value);
    EXPECT_LT(span.size(), text.size());
  }
  EXPECT_EQ(seen_recovered, recovered);
}

TEST(JsonTestSuite, ImplementationDefinedOutcomesArePinned) {
  // Boost.JSON underneath: numbers out of double range become infinity (1e999 is written back as
  // "1e999"), except where the exponent itself overflows; strings must be valid UTF-8 without lone
  // surrogates; nesting deeper than 64 is refused; a UTF-8 BOM is skipped; UTF-16 is not JSON here.
  const std::map<std::string, std::string> expected = {
      {"i_number_double_huge_neg_exp.json", "expected a JSON object, got array"},
      {"i_number_huge_exp.json", "invalid JSON at offset 16: exponent overflow"},
      {"i_number_neg_int_huge_exp.json", "expected a JSON object, got array"},
      {"i_number_pos_double_huge_exp.json", "expected a JSON object, got array"},
      {"i_number_real_neg_overflow.json", "expected a JSON object, got array"},
      {"i_number_real_pos_overflow.json", "expected a JSON object, got array"},
      {"i_number_real_underflow.json", "expected a JSON object, got array"},
      {"i_number_too_big_neg_int.json", "expected a JSON object, got array"},
      {"i_number_too_big_pos_int.json", "expected a JSON object, got array"},
      {"i_number_very_big_negative_int.json", "expected a JSON object, got array"},
      {"i_object_key_lone_2nd_surrogate.json", "invalid JSON at offset 8: illegal trailing surrogate"},
      {"i_string_1st_surrogate_but_2nd_missing.json", "invalid JSON at offset 8: syntax error"},
      {"i_string_1st_valid_surrogate_2nd_invalid.json",
       "invalid JSON at offset 10: illegal trailing surrogate"},
      {"i_string_UTF-16LE_with_BOM.json", "no JSON found"},
      {"i_string_UTF-8_invalid_sequence.json", "invalid JSON at offset 7: syntax error"},
      {"i_string_UTF8_surrogate_U+D800.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_incomplete_surrogate_and_escape_valid.json", "invalid JSON at offset 9: syntax error"},
      {"i_string_incomplete_surrogate_pair.json", "invalid JSON at offset 8: illegal trailing surrogate"},
      {"i_string_incomplete_surrogates_escape_valid.json",
       "invalid JSON at offset 10: illegal trailing surrogate"},
      {"i_string_invalid_lonely_surrogate.json", "invalid JSON at offset 8: syntax error"},
      {"i_string_invalid_surrogate.json", "invalid JSON at offset 8: syntax error"},
      {"i_string_invalid_utf-8.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_inverted_surrogates_U+1D11E.json", "invalid JSON at offset 3: illegal leading surrogate"},
      {"i_string_iso_latin_1.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_lone_second_surrogate.json", "invalid JSON at offset 8: illegal trailing surrogate"},
      {"i_string_lone_utf8_continuation_byte.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_not_in_unicode_range.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_overlong_sequence_2_bytes.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_overlong_sequence_6_bytes.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_overlong_sequence_6_bytes_null.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_truncated-utf-8.json", "invalid JSON at offset 2: syntax error"},
      {"i_string_utf16BE_no_BOM.json", "no JSON found"},
      {"i_string_utf16LE_no_BOM.json", "invalid JSON at offset 1: syntax error"},
      {"i_structure_500_nested_arrays.json", "invalid JSON at offset 64: too deep"},
      {"i_structure_UTF-8_BOM_empty_object.json", "object (bare, whole text)"},
  };
  std::size_t checked = 0;
  for (const auto& file : suite_files('i')) {
    const std::string name = file.filename().string();
    SCOPED_TRACE(name);
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "no pinned outcome for this file";
    EXPECT_EQ(outcome(extract_any_object(pipehost::test::read_file(file))), it->second);
    ++checked;
  }
  EXPECT_EQ(checked, expected.size());
}

}  // namespace
