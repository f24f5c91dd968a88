// The user template: compiling {{column}} / {{column | json}}, binding names to columns, rendering rows.
#include "user_template.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace {

using pipehost::prompt_template::UserTemplate;
using Strings = std::vector<std::string>;

std::vector<pipehost::Value> values_of(const Strings& texts) {
  return {texts.begin(), texts.end()};
}

const Strings kColumns = {"artist", "song", "person", "name", "n", "Release Year"};

std::string render(const std::string& text, const Strings& values, const Strings& columns = kColumns) {
  UserTemplate t = UserTemplate::compile(text, "user_template");
  t.bind(columns);
  std::string out;
  t.render(values_of(values), out);
  return out;
}

std::string compile_error(const std::string& text) {
  try {
    UserTemplate::compile(text, "user_template");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(compiled)";
}

std::string bind_error(const std::string& text, const Strings& columns = kColumns) {
  UserTemplate t = UserTemplate::compile(text, "user_template");
  try {
    t.bind(columns);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(bound)";
}

const Strings kRow = {"AC/DC", "Back In Black", "TRUE", "Jessie", "3", "1980"};

TEST(UserTemplate, RendersPlaceholdersAndLiterals) {
  EXPECT_EQ(render("Title: {{song}}\nArtist: {{artist}}", kRow), "Title: Back In Black\nArtist: AC/DC");
  EXPECT_EQ(render("{{ song }}|{{\tn\t}}", kRow), "Back In Black|3");
  EXPECT_EQ(render("{{song}}{{song}}{{n}}", kRow), "Back In BlackBack In Black3");
  EXPECT_EQ(render("Released {{Release Year}}.", kRow), "Released 1980.");
  EXPECT_EQ(render("no placeholders at all", kRow), "no placeholders at all");
  EXPECT_EQ(render("", kRow), "");
}

TEST(UserTemplate, ClosingBracesOutsidePlaceholdersArePlainText) {
  EXPECT_EQ(render(R"(Answer like {"a": {"b": 1}} for {{song}}}})", kRow),
            R"(Answer like {"a": {"b": 1}} for Back In Black}})");
  EXPECT_EQ(render("{ {{n}} }", kRow), "{ 3 }");
}

TEST(UserTemplate, JsonFilterInsertsAJsonStringLiteral) {
  const Strings row = {"Guns N' Roses", "Sweet \"Child\" o' Mine\\\n\t\x01 \xC3\xA9", "", "", "", ""};
  const std::string out = render(R"({"artist": {{artist | json}}, "song": {{ song|json }}})", row);
  EXPECT_EQ(out, R"({"artist": "Guns N' Roses", "song": "Sweet \"Child\" o' Mine\\\n\t\u0001 )"
                 "\xC3\xA9\"}");
  const auto parsed = boost::json::parse(out);  // the result is valid JSON holding the original values
  EXPECT_EQ(parsed.at("song").as_string(), row[1]);
  EXPECT_EQ(render("{{person | json}}", {"", "", "", "", "", ""}), "\"\"");
}

TEST(UserTemplate, CompileErrorsSayWhereAndWhat) {
  EXPECT_EQ(
      compile_error("Title: {{song}}\nArtist: {{artist"),
      "user_template: line 2, column 9: \"{{\" is not closed (expected {{column}} or {{column | json}})");
  EXPECT_EQ(compile_error("a {{  }} b"), "user_template: line 1, column 3: empty placeholder {{  }}");
  EXPECT_EQ(compile_error("{{ | json}}"), "user_template: line 1, column 1: empty placeholder {{ | json}}");
  EXPECT_EQ(compile_error("x\ny {{song | upper}}"),
            "user_template: line 2, column 3: unknown filter \"upper\" in {{song | upper}} (the only filter "
            "is json)");
  EXPECT_EQ(
      compile_error("{{song | json | json}}"),
      "user_template: line 1, column 1: unknown filter \"json | json\" in {{song | json | json}} (the only "
      "filter is json)");
  EXPECT_EQ(
      compile_error("{{{song}}}"),
      "user_template: line 1, column 1: invalid placeholder {{{song}} (names cannot contain braces or line "
      "breaks)");
  EXPECT_EQ(
      compile_error("{{so\nng}}"),
      "user_template: line 1, column 1: invalid placeholder {{so\nng}} (names cannot contain braces or line "
      "breaks)");
}

TEST(UserTemplate, UnknownPlaceholderListsTheColumns) {
  EXPECT_EQ(bind_error("Title: {{title}}"),
            "user_template: line 1, column 8: unknown placeholder {{title}}; available columns: artist, "
            "song, person, "
            "name, n, Release Year");
  EXPECT_EQ(
      bind_error("{{song}}\n  {{artsit}}"),
      "user_template: line 2, column 3: unknown placeholder {{artsit}} (did you mean {{artist}}?); available "
      "columns: artist, song, person, name, n, Release Year");
  EXPECT_EQ(
      bind_error("{{Song}}"),
      "user_template: line 1, column 1: unknown placeholder {{Song}} (did you mean {{song}}?); available "
      "columns: artist, song, person, name, n, Release Year");
  EXPECT_EQ(bind_error("{{a}}", {}),
            "user_template: line 1, column 1: unknown placeholder {{a}}; available columns: (none)");
}

TEST(UserTemplate, RenderChecksRowsAndBinding) {
  UserTemplate t = UserTemplate::compile("{{name}}", "user_template");
  std::string out;
  EXPECT_THROW(t.render(values_of(kRow), out), std::logic_error);
  t.bind(kColumns);
  EXPECT_THROW(t.render(values_of({"only", "three", "values"}), out), std::runtime_error);
  t.render(values_of(kRow), out);
  t.render(values_of(kRow), out);
  EXPECT_EQ(out, "JessieJessie") << "render appends";
}

TEST(UserTemplate, PlaceholderNamesInOrder) {
  EXPECT_EQ(UserTemplate::compile("{{b}} {{a|json}} {{b}}", "t").placeholder_names(),
            (Strings{"b", "a", "b"}));
}

}  // namespace
