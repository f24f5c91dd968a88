// The Parser stage as the host sees it: config handling (paths, defaults, errors), columns, parse status.
// Also the built plugin library, loaded with dlopen through its exported entry point.
#include <dlfcn.h>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "markdown_json_parser.hpp"
#include "pipehost/sdk.hpp"
#include "stage_from_config.hpp"
#include "test_host.hpp"

namespace {

namespace json = boost::json;
using pipehost::StageContext;
using pipehost::markdown_json::MarkdownJsonParser;
using pipehost::test::TempDir;
using pipehost::test::TestHost;

const std::string kSongsSchemaFile =
    std::string(PIPEHOST_SOURCE_DIR) + "/tests/plugins/markdown-json-parser/data/songs_schema.json";

const std::string kSongAnswer = R"(Here is the classification:
```json
{"genre": "Rock", "subgenres": ["Hard Rock", "Blues Rock"], "energy": "High", "mood": "Defiant",
 "accessibility": "Timeless", "era": "1980s", "reasoning": "Iconic riff."}
```)";

/// The stage as the plugin's factory makes it: the config read by config_spec(), then constructed.
MarkdownJsonParser make_parser(const StageContext& context) {
  return pipehost::test::make_stage<MarkdownJsonParser>(pipehost::markdown_json::config_spec(), context);
}

std::string construct_error(const StageContext& context) {
  std::string error =
      pipehost::test::config_error<MarkdownJsonParser>(pipehost::markdown_json::config_spec(), context);
  return error.empty() ? "(constructed)" : error;
}

TEST(ParserStage, ColumnsAndParse) {
  TestHost host;
  MarkdownJsonParser parser = make_parser(
      StageContext{host, R"({"response_schema_file": ")" + kSongsSchemaFile + "\"}", "", "/parser"});
  std::vector<pipehost::Column> columns;
  ASSERT_TRUE(parser.columns(columns));
  EXPECT_EQ(pipehost::test::names_of(columns),
            (std::vector<std::string>{"genre", "subgenres", "energy", "mood", "accessibility", "era",
                                      "reasoning", "context"}));
  std::vector<pipehost::Value> fields;
  const auto status = parser.parse(kSongAnswer, fields);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(pipehost::test::texts_of(fields),
            (std::vector<std::string>{"Rock", "Hard Rock; Blues Rock", "High", "Defiant", "Timeless", "1980s",
                                      "Iconic riff.", ""}));
  const auto failed = parser.parse(R"({"genre": "Rock"})", fields);
  EXPECT_TRUE(failed.is_retry());
  EXPECT_EQ(failed.message(), "/subgenres: missing required property");
}

TEST(ParserStage, RelativeSchemaPathResolvesAgainstTheConfigFolder) {
  TestHost host;
  TempDir dir;
  pipehost::test::write_file(dir.path() / "schemas" / "s.json", R"({"properties": {"a": {}}})");
  MarkdownJsonParser parser = make_parser(StageContext{
      host,
      R"({"response_schema_file": "schemas/s.json", "list_separator": ", ", "case_insensitive_enums": true})",
      dir.path().string(), "/parser"});
  std::vector<pipehost::Value> fields;
  ASSERT_TRUE(parser.parse(R"({"a": ["x", "y"]})", fields)) << "an untyped property takes any value";
  std::vector<pipehost::Column> columns;
  ASSERT_TRUE(parser.columns(columns));
  EXPECT_EQ(pipehost::test::texts_of(fields, columns[0].list_separator), std::vector<std::string>{"x, y"});
}

TEST(ParserStage, ConfigErrors) {
  TestHost host;
  TempDir dir;
  const std::string missing = (dir.path() / "nope.json").string();
  EXPECT_EQ(
      construct_error({host, R"({"response_schema_file": "nope.json"})", dir.path().string(), "/parser"}),
      "response_schema_file: cannot read \"" + missing + "\": No such file or directory");
  EXPECT_EQ(construct_error({host, R"({})", "", "/parser"}), "/parser/response_schema_file: missing");
  EXPECT_EQ(
      construct_error({host, R"({"response_schema_file": "a.json", "list_seperator": ","})", "", "/parser"}),
      "/parser/list_seperator: unknown key");
  EXPECT_EQ(construct_error({host, R"({"response_schema_file": 3})", "", "/parser"}),
            "/parser/response_schema_file: expected a string, got 3");
  EXPECT_EQ(construct_error({host, R"({"response_schema_file": ""})", "", "/parser"}),
            "response_schema_file: expected a file path");
  EXPECT_EQ(
      construct_error({host, R"({"response_schema_file": "a", "case_insensitive_enums": "yes"})", "", "/p"}),
      "/p/case_insensitive_enums: expected true or false, got \"yes\"");
  pipehost::test::write_file(dir.path() / "bad.json", R"({"properties": {"a": {"type": "TEXT"}}})");
  EXPECT_EQ(
      construct_error({host, R"({"response_schema_file": "bad.json"})", dir.path().string(), "/parser"}),
      (dir.path() / "bad.json").string() +
          ": /properties/a/type: unknown type \"TEXT\" (expected one of OBJECT, STRING, NUMBER, INTEGER, "
          "BOOLEAN, ARRAY)");
}

TEST(ParserStage, WarnsAboutSchemaKeywordsItDoesNotCheck) {
  TestHost host;
  TempDir dir;
  pipehost::test::write_file(dir.path() / "s.json",
                             R"({"properties": {"n": {"type": "NUMBER", "minimum": 0}}})");
  MarkdownJsonParser parser =
      make_parser(StageContext{host, R"({"response_schema_file": "s.json"})", dir.path().string(), "/p"});
  ASSERT_EQ(host.logs().size(), 1u);
  EXPECT_EQ(host.logs()[0], "warn: response schema " + (dir.path() / "s.json").string() +
                                ": /properties/n/minimum is not checked by markdown-json-parser");
}

TEST(ParserStage, ConfigSchemaIsStrictJson) {
  const json::value schema = json::parse(pipehost::markdown_json::config_spec().schema());
  EXPECT_EQ(schema.at("additionalProperties"), false);
  EXPECT_EQ(schema.at("properties").at("response_schema_file").at("format"), "path");
}

/// The built plugin, loaded the way the host loads it.
class LoadedPlugin {
 public:
  explicit LoadedPlugin(const std::string& path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (!handle_) throw std::runtime_error(std::string("dlopen: ") + dlerror());
  }
  ~LoadedPlugin() { dlclose(handle_); }
  const PipehostPluginEntry* entry() const {
    using EntryFunction = const PipehostPluginEntry* (*)();
    auto function = reinterpret_cast<EntryFunction>(dlsym(handle_, pipehost::kPluginEntrySymbol));
    return function ? function() : nullptr;
  }

 private:
  void* handle_;
};

TEST(ParserPlugin, LoadsDescribesAndCreatesTheStage) {
  LoadedPlugin library(std::string(PIPEHOST_PLUGIN_DIR) + "/pipehost-markdown-json-parser.so");
  const PipehostPluginEntry* entry = library.entry();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->magic, pipehost::kPipehostPluginMagic);
  EXPECT_EQ(entry->abi_major, pipehost::kAbiMajor);
  const pipehost::PluginDescriptor* descriptor = nullptr;
  ASSERT_EQ(entry->describe(&descriptor), nullptr);
  ASSERT_NE(descriptor, nullptr);
  EXPECT_EQ(descriptor->name, "markdown-json-parser");
  ASSERT_EQ(descriptor->stages.size(), 1u);
  const auto& stage = descriptor->stages[0];
  EXPECT_EQ(stage.kind, pipehost::StageKind::parser);
  EXPECT_EQ(json::parse(stage.config_schema).at("required"), json::parse(R"(["response_schema_file"])"));

  TestHost host;
  {
    std::unique_ptr<pipehost::Stage> created;
    const auto status = stage.create(
        {host, R"({"response_schema_file": ")" + kSongsSchemaFile + "\"}", "", "/parser"}, created);
    ASSERT_TRUE(status) << status.message();
    auto* parser = dynamic_cast<pipehost::Parser*>(created.get());
    ASSERT_NE(parser, nullptr);
    std::vector<pipehost::Value> fields;
    ASSERT_TRUE(parser->parse(kSongAnswer, fields));
    EXPECT_EQ(fields[0], pipehost::Value("Rock"));
    EXPECT_TRUE(parser->parse("no json here", fields).is_retry());
  }
  std::unique_ptr<pipehost::Stage> failed;
  const auto bad =
      stage.create({host, R"({"response_schema_file": "/nonexistent/schema.json"})", "", "/p"}, failed);
  EXPECT_TRUE(bad.is_fatal());
  EXPECT_EQ(bad.message(),
            "response_schema_file: cannot read \"/nonexistent/schema.json\": No such file or directory");
}

}  // namespace
