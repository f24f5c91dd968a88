// The prompt-template stage: config and files in, Requests out. Also the built plugin library, loaded
// with dlopen through its exported entry point.
#include "prompt_template.hpp"

#include <dlfcn.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "pipehost/sdk.hpp"
#include "stage_from_config.hpp"
#include "test_host.hpp"

namespace {

namespace json = boost::json;
using pipehost::Request;
using pipehost::Row;
using pipehost::StageContext;
using pipehost::prompt_template::PromptTemplate;
using pipehost::test::TempDir;
using pipehost::test::TestHost;
using pipehost::test::write_file;

const std::vector<std::string> kColumns = {"artist", "song", "person", "name", "n"};
const Row kRow{"row-7", {"Prince", "Little Red Corvette", "FALSE", "Corvette", "2"}, 8};

/// A config folder holding a system prompt and a response schema.
class PromptFiles {
 public:
  PromptFiles() {
    write_file(dir.path() / "prompt.md", "# Role\nYou classify songs.\n");
    write_file(dir.path() / "schema.json",
               "{\n  \"type\": \"OBJECT\",\n  \"properties\": {\"genre\": {\"type\": \"STRING\"}}\n}\n");
  }
  StageContext context(const std::string& config_json) {
    return {host, config_json, dir.path().string(), "/request"};
  }
  /// The stage as the plugin's factory makes it: the config read by config_spec(), then constructed.
  PromptTemplate make(const std::string& config_json) {
    return pipehost::test::make_stage<PromptTemplate>(pipehost::prompt_template::config_spec(),
                                                      context(config_json));
  }
  std::string path(const std::string& name) const { return (dir.path() / name).string(); }

  TestHost host;
  TempDir dir;
};

std::string construct_error(const StageContext& context) {
  std::string error =
      pipehost::test::config_error<PromptTemplate>(pipehost::prompt_template::config_spec(), context);
  return error.empty() ? "(constructed)" : error;
}

TEST(PromptTemplate, BuildsARequestPerRow) {
  PromptFiles files;
  PromptTemplate stage = files.make(R"({"system_file": "prompt.md", "response_schema_file": "schema.json",
      "user_template": "Title: {{song}}\nArtist: {{artist}}\nJSON: {\"name\": {{name | json}}}"})");
  ASSERT_TRUE(stage.bind(kColumns));
  Request request;
  const auto status = stage.build(kRow, request);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(request.key, "row-7");
  ASSERT_NE(request.system_instruction, nullptr);
  EXPECT_EQ(*request.system_instruction, "# Role\nYou classify songs.\n");
  EXPECT_EQ(
      request.user_parts,
      std::vector<std::string>{"Title: Little Red Corvette\nArtist: Prince\nJSON: {\"name\": \"Corvette\"}"});
  EXPECT_EQ(request.generation.response_mime_type, "application/json");
  ASSERT_NE(request.generation.response_schema_json, nullptr);
  EXPECT_EQ(*request.generation.response_schema_json,
            R"({"type":"object","properties":{"genre":{"type":"string"}}})");
  EXPECT_FALSE(request.generation.temperature);
  EXPECT_TRUE(request.tools.empty());
  EXPECT_TRUE(request.extra_json.empty());
}

TEST(PromptTemplate, SystemInstructionAndSchemaAreSharedNotCopied) {
  PromptFiles files;
  PromptTemplate stage = files.make(
      R"({"system_file": "prompt.md", "response_schema_file": "schema.json", "user_template": "{{song}}"})");
  ASSERT_TRUE(stage.bind(kColumns));
  Request first, second;
  ASSERT_TRUE(stage.build(kRow, first));
  ASSERT_TRUE(stage.build(Row{"other", {"a", "b", "c", "d", "e"}, 9}, second));
  EXPECT_EQ(first.system_instruction.get(), second.system_instruction.get());
  EXPECT_EQ(first.system_instruction.get(), stage.system_instruction().get());
  EXPECT_EQ(first.generation.response_schema_json.get(), second.generation.response_schema_json.get());
  EXPECT_EQ(second.user_parts[0], "b");
}

TEST(PromptTemplate, TemplateFromFileAndNoSystemInstruction) {
  PromptFiles files;
  write_file(files.dir.path() / "templates" / "user.txt", "\xEF\xBB\xBFSong: {{song}} by {{artist}}\r\n");
  PromptTemplate stage = files.make(R"({"user_template_file": "templates/user.txt"})");
  ASSERT_TRUE(stage.bind(kColumns));
  Request request;
  ASSERT_TRUE(stage.build(kRow, request));
  EXPECT_EQ(request.system_instruction, nullptr);
  EXPECT_EQ(request.user_parts[0], "Song: Little Red Corvette by Prince\r\n")
      << "BOM dropped, text kept as is";
  EXPECT_EQ(request.generation.response_schema_json, nullptr);
  EXPECT_EQ(request.generation.response_mime_type, "");
}

TEST(PromptTemplate, GenerationToolsExtraAndMimeOverride) {
  PromptFiles files;
  PromptTemplate stage = files.make(R"({"user_template": "{{song}}", "response_schema_file": "schema.json",
      "response_mime_type": "text/x.enum",
      "generation": {"temperature": 0.2, "top_p": 0.95, "top_k": 40, "max_output_tokens": 1024, "seed": -7,
                     "thinking_budget": 0},
      "tools": ["web_search", "web_search"],
      "extra": {"safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]}})");
  ASSERT_TRUE(stage.bind(kColumns));
  Request request;
  ASSERT_TRUE(stage.build(kRow, request));
  const auto& g = request.generation;
  EXPECT_EQ(g.temperature, 0.2);
  EXPECT_EQ(g.top_p, 0.95);
  EXPECT_EQ(g.top_k, 40);
  EXPECT_EQ(g.max_output_tokens, 1024);
  EXPECT_EQ(g.seed, -7);
  EXPECT_EQ(g.thinking_budget, 0);
  EXPECT_EQ(g.response_mime_type, "text/x.enum");
  EXPECT_EQ(request.tools, std::vector<std::string>{"web_search"});
  EXPECT_EQ(request.extra_json,
            R"({"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]})");
}

TEST(PromptTemplate, UnknownPlaceholderFailsBind) {
  PromptFiles files;
  PromptTemplate stage = files.make(R"({"user_template": "Title: {{title}}"})");
  const auto bound = stage.bind(kColumns);
  EXPECT_TRUE(bound.is_fatal());
  EXPECT_EQ(
      bound.message(),
      "user_template: line 1, column 8: unknown placeholder {{title}}; available columns: artist, song, "
      "person, name, n");
}

TEST(PromptTemplate, ShortRowIsAFatalErrorNamingTheRow) {
  PromptFiles files;
  PromptTemplate stage = files.make(R"({"user_template": "{{n}}"})");
  ASSERT_TRUE(stage.bind(kColumns));
  Request request;
  const auto status = stage.build(Row{"k1", {"a", "b"}, 12}, request);
  EXPECT_TRUE(status.is_fatal());
  EXPECT_EQ(status.message(), "row k1 (line 12): row has 2 values but the template uses column 5 (n)");
}

TEST(PromptTemplate, MissingFilesNameTheResolvedPath) {
  PromptFiles files;
  EXPECT_EQ(construct_error(files.context(R"({"system_file": "missing.md", "user_template": "x"})")),
            "system_file: cannot read \"" + files.path("missing.md") + "\": No such file or directory");
  EXPECT_EQ(construct_error(files.context(R"({"user_template_file": "sub/../nope.txt"})")),
            "user_template_file: cannot read \"" + files.path("nope.txt") + "\": No such file or directory");
  EXPECT_EQ(
      construct_error(files.context(R"({"user_template": "x", "response_schema_file": "/no/schema.json"})")),
      "response_schema_file: cannot read \"/no/schema.json\": No such file or directory");
}

TEST(PromptTemplate, ConfigErrors) {
  PromptFiles files;
  write_file(files.dir.path() / "bad.json", "[1, 2");
  write_file(files.dir.path() / "list.json", "[1, 2]");
  const std::pair<std::string, std::string> cases[] = {
      // What the schema cannot say, the stage checks itself.
      {R"({})", "user_template or user_template_file is required"},
      {R"({"user_template": "a", "user_template_file": "prompt.md"})",
       "user_template and user_template_file both given; use one of them"},
      {R"({"user_template": "a", "response_mime_type": ""})", "response_mime_type: expected a MIME type"},
      {R"({"user_template": "a", "system_file": ""})", "system_file: expected a file path"},
      // What it can say, the declaration refuses, naming the pointer.
      {R"({"user_template": "a", "sytem_file": "prompt.md"})", "/request/sytem_file: unknown key"},
      {R"({"user_template": 5})", "/request/user_template: expected a string, got 5"},
      {R"({"user_template": null})", "/request/user_template: expected a string, got null"},
      {R"({"user_template": "a", "generation": {"temperature": 2.5}})",
       "/request/generation/temperature: must be at most 2, got 2.5"},
      {R"({"user_template": "a", "generation": {"temperature": null}})",
       "/request/generation/temperature: expected a number, got null"},
      {R"({"user_template": "a", "generation": {"top_p": "high"}})",
       "/request/generation/top_p: expected a number, got \"high\""},
      {R"({"user_template": "a", "generation": {"top_k": 0}})",
       "/request/generation/top_k: must be at least 1, got 0"},
      {R"({"user_template": "a", "generation": {"max_output_tokens": 10.5}})",
       "/request/generation/max_output_tokens: expected a whole number, got 10.5"},
      {R"({"user_template": "a", "generation": {"thinking_budget": -2}})",
       "/request/generation/thinking_budget: must be at least -1, got -2"},
      {R"({"user_template": "a", "generation": {"temprature": 1}})",
       "/request/generation/temprature: unknown key"},
      {R"({"user_template": "a", "generation": 1})", "/request/generation: expected an object"},
      {R"({"user_template": "a", "tools": ["google_search"]})",
       "/request/tools/0: expected one of \"web_search\", got \"google_search\""},
      {R"({"user_template": "a", "extra": "x"})", "/request/extra: expected an object, got \"x\""},
      // Templates and files.
      {R"({"user_template": "{{a"})",
       "user_template: line 1, column 1: \"{{\" is not closed (expected {{column}} or {{column | json}})"},
      {R"({"user_template": "a", "response_schema_file": "bad.json"})",
       "response_schema_file: \"" + files.path("bad.json") + "\" is not valid JSON: incomplete JSON"},
      {R"({"user_template": "a", "response_schema_file": "list.json"})",
       "response_schema_file: \"" + files.path("list.json") + "\" must hold a JSON object"},
  };
  for (const auto& [config, error] : cases)
    EXPECT_EQ(construct_error(files.context(config)), error) << config;
}

TEST(PromptTemplate, ConfigSchemaIsStrictJson) {
  const json::value schema = json::parse(pipehost::prompt_template::config_spec().schema());
  EXPECT_EQ(schema.at("additionalProperties"), false);
  EXPECT_EQ(schema.at("properties").at("generation").at("additionalProperties"), false);
  for (const char* path_key : {"system_file", "user_template_file", "response_schema_file"})
    EXPECT_EQ(schema.at("properties").at(path_key).at("format"), "path") << path_key;
}

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

TEST(PromptTemplatePlugin, LoadsDescribesAndCreatesTheStage) {
  LoadedPlugin library(std::string(PIPEHOST_PLUGIN_DIR) + "/pipehost-prompt-template.so");
  const PipehostPluginEntry* entry = library.entry();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->magic, pipehost::kPipehostPluginMagic);
  const pipehost::PluginDescriptor* descriptor = nullptr;
  ASSERT_EQ(entry->describe(&descriptor), nullptr);
  EXPECT_EQ(descriptor->name, "prompt-template");
  ASSERT_EQ(descriptor->stages.size(), 1u);
  const auto& stage = descriptor->stages[0];
  EXPECT_EQ(stage.kind, pipehost::StageKind::request_builder);

  PromptFiles files;
  std::unique_ptr<pipehost::Stage> created;
  ASSERT_TRUE(
      stage.create(files.context(R"({"system_file": "prompt.md", "user_template": "{{titel}}"})"), created));
  auto* builder = dynamic_cast<pipehost::RequestBuilder*>(created.get());
  ASSERT_NE(builder, nullptr);
  const auto bound = builder->bind({"title"});
  EXPECT_TRUE(bound.is_fatal());
  EXPECT_EQ(
      bound.message(),
      "user_template: line 1, column 1: unknown placeholder {{titel}} (did you mean {{title}}?); available "
      "columns: title");

  ASSERT_TRUE(
      stage.create(files.context(R"({"system_file": "prompt.md", "user_template": "{{song}}"})"), created));
  builder = dynamic_cast<pipehost::RequestBuilder*>(created.get());
  ASSERT_TRUE(builder->bind(kColumns));
  Request request;
  ASSERT_TRUE(builder->build(kRow, request));
  EXPECT_EQ(request.user_parts[0], "Little Red Corvette");
  EXPECT_EQ(*request.system_instruction, "# Role\nYou classify songs.\n");
  request = {};
  created.reset();  // stage objects die before the library is unloaded
}

}  // namespace
