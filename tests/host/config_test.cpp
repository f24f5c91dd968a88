// run.json loading: syntax errors with line and column, unknown keys with suggestions, type errors
// with JSON pointers, plugin sections checked against plugin schemas, overrides, relative paths.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "config/json_schema.hpp"
#include "config/run_config.hpp"
#include "engine/pipeline.hpp"
#include "test_host.hpp"

namespace {

using pipehost::config::ConfigError;
using pipehost::config::load_run_config;
using pipehost::test::TempDir;
using pipehost::test::write_file;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

class ConfigTest : public ::testing::Test {
 protected:
  std::string write_config(const std::string& text) {
    auto path = dir_.file("run.json");
    write_file(path, text);
    return path;
  }
  std::string load_error(const std::string& text) {
    auto path = write_config(text);
    return error_of([&] { load_run_config(path); });
  }
  TempDir dir_;
};

TEST_F(ConfigTest, BadJsonGivesLineAndColumn) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(load_error("{\n  \"source\": {\"plugin\": \"x\"},\n  \"sinks\": [,]\n}"),
            path + ":3:13: invalid JSON: syntax error");
}

TEST_F(ConfigTest, TrailingGarbageIsAnError) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(load_error("{\"source\": {\"plugin\": \"x\"}} x"), path + ":1:29: invalid JSON: extra data");
}

TEST_F(ConfigTest, MissingFileNamesThePath) {
  auto missing = dir_.file("nope.json");
  EXPECT_EQ(error_of([&] { load_run_config(missing); }), missing + ": no such file");
}

TEST_F(ConfigTest, UnknownTopLevelKeySuggestsTheClosest) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(
      load_error(R"({"source": {"plugin": "x"}, "sink": []})"),
      path +
          ": /sink: unknown key \"sink\" (did you mean \"sinks\"?); allowed: source, request, provider, "
          "parser, sinks, loggers, run");
}

TEST_F(ConfigTest, MissingPluginNameIsReported) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(load_error(R"({"source": {"path": "a.csv"}})"),
            path + ": /source/plugin: missing (name the plugin for this stage)");
}

TEST_F(ConfigTest, ModelSectionsGoTogether) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(
      load_error(R"({"source": {"plugin": "x"}, "provider": {"plugin": "p"}})"),
      path +
          ": /request: missing: \"request\", \"provider\" and \"parser\" go together (all three to run a "
          "model, none to copy rows)");
}

TEST_F(ConfigTest, RunSectionIsTypeChecked) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(load_error(R"({"source": {"plugin": "x"}, "run": {"max_attempts": "3"}})"),
            path + ": /run/max_attempts: expected integer, got string \"3\"");
  EXPECT_EQ(load_error(R"({"source": {"plugin": "x"}, "run": {"max_attemps": 3}})"),
            path + ": /run/max_attemps: unknown key \"max_attemps\" (did you mean \"max_attempts\"?)");
}

TEST_F(ConfigTest, EngineKeysAreTakenFromTheProviderSection) {
  auto path = write_config(R"({"source": {"plugin": "s"}, "request": {"plugin": "r"},
      "provider": {"plugin": "p", "model": "m1", "batch_size": 100, "max_jobs_in_flight": 2, "mode": "online"},
      "parser": {"plugin": "q"}, "run": {"state_dir": "state", "max_attempts": 5}})");
  auto config = load_run_config(path);
  EXPECT_EQ(config.settings.batch_size, 100u);
  EXPECT_EQ(config.settings.max_jobs_in_flight, 2);
  EXPECT_EQ(config.settings.mode, pipehost::config::Mode::online);
  EXPECT_EQ(config.settings.max_attempts, 5);
  EXPECT_EQ(config.settings.state_dir, dir_.path() / "state");
  EXPECT_FALSE(config.provider->options.contains("batch_size"));
  EXPECT_TRUE(config.provider->options.contains("model"));
}

TEST_F(ConfigTest, EngineKeysAreValidated) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(load_error(R"({"source": {"plugin": "s"}, "request": {"plugin": "r"},
      "provider": {"plugin": "p", "mode": "bach"}, "parser": {"plugin": "q"}})"),
            path +
                ": /provider/mode: expected one of \"batch\", \"online\", got string \"bach\" (did you mean "
                "\"batch\"?)");
}

TEST_F(ConfigTest, HostKeysAreTakenFromProviderAndLoggerSections) {
  auto path = write_config(R"({"source": {"plugin": "s"}, "request": {"plugin": "r"},
      "provider": {"plugin": "p", "allow_insecure_http": true}, "parser": {"plugin": "q"},
      "loggers": [{"plugin": "l", "required": false}, {"plugin": "l", "allow_insecure_http": true}],
      "run": {"give_up_after_s": 2.5}})");
  auto config = load_run_config(path);
  EXPECT_TRUE(config.provider->allow_insecure_http);
  EXPECT_FALSE(config.provider->options.contains("allow_insecure_http")) << "the plugin never sees host keys";
  EXPECT_FALSE(config.loggers[0].required);
  EXPECT_FALSE(config.loggers[0].allow_insecure_http);
  EXPECT_FALSE(config.loggers[0].options.contains("required"));
  EXPECT_TRUE(config.loggers[1].required);
  EXPECT_TRUE(config.loggers[1].allow_insecure_http);
  EXPECT_DOUBLE_EQ(config.settings.give_up_after_s, 2.5);
  EXPECT_DOUBLE_EQ(load_run_config(write_config(R"({"source": {"plugin": "s"}})")).settings.give_up_after_s,
                   600);
}

TEST_F(ConfigTest, HostKeysAreValidated) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(load_error(R"({"source": {"plugin": "s"}, "loggers": [{"plugin": "l", "required": "no"}]})"),
            path + ": /loggers/0/required: expected boolean, got string \"no\"");
  EXPECT_EQ(load_error(R"({"source": {"plugin": "s"}, "run": {"give_up_after_s": 0}})"),
            path + ": /run/give_up_after_s: must be greater than 0, got 0");
  // Only where the host reads them: a source has no "required" (its plugin's schema decides).
  auto config = load_run_config(write_config(R"({"source": {"plugin": "s", "required": false}})"));
  EXPECT_TRUE(config.source.options.contains("required"));
}

TEST_F(ConfigTest, OverridesApplyBeforeValidation) {
  auto path = write_config(R"({"source": {"plugin": "s"}, "sinks": [{"plugin": "k", "path": "a"}]})");
  auto config = load_run_config(path, {pipehost::config::parse_override("sinks.0.path=b.csv"),
                                       pipehost::config::parse_override("run.max_attempts=7")});
  EXPECT_EQ(config.sinks[0].options.at("path").as_string(), "b.csv");
  EXPECT_EQ(config.settings.max_attempts, 7);
  EXPECT_EQ(error_of([] { pipehost::config::parse_override("nope"); }),
            "--set nope: expected key.path=value (e.g. provider.batch_size=100)");
}

TEST(JsonSchema, ReportsEveryIssueWithItsPointerAndResolvesPaths) {
  pipehost::config::JsonSchema schema(
      R"({"type": "object", "additionalProperties": false, "required": ["path"],
      "properties": {"path": {"type": "string", "format": "path"}, "n": {"type": "integer", "minimum": 1},
                     "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}}}})",
      "test");
  auto value = boost::json::parse(R"({"n": 0, "tags": ["a", 1, "c"], "extra": true})");
  auto issues = schema.validate(value, "/sinks/0", "/base");
  std::vector<std::string> texts;
  for (const auto& i : issues) texts.push_back(i.pointer + ": " + i.message);
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "/sinks/0/path: missing (required)", "/sinks/0/n: must be at least 1, got 0",
                "/sinks/0/tags: expected at most 2 items, got 3",
                "/sinks/0/tags/1: expected string, got number 1", "/sinks/0/extra: unknown key \"extra\""}));

  auto ok = boost::json::parse(R"({"path": "out/x.csv"})");
  EXPECT_TRUE(schema.validate(ok, "", "/base/dir").empty());
  EXPECT_EQ(ok.at("path").as_string(), "/base/dir/out/x.csv");
}

class PipelineConfigTest : public ConfigTest {
 protected:
  PipelineConfigTest() { registry_.load_directory(TEST_GOOD_PLUGINS); }
  std::string assemble_error(const std::string& text) {
    auto path = write_config(text);
    return error_of([&] {
      auto config = load_run_config(path);
      pipehost::services::RunServices run(dir_.path(),
                                          std::make_shared<pipehost::services::SecretRegistry>());
      pipehost::engine::assemble_pipeline(config, registry_, run);
    });
  }
  pipehost::loader::PluginRegistry registry_;
};

TEST_F(PipelineConfigTest, UnknownPluginListsTheAvailableOnes) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(
      assemble_error(R"({"source": {"plugin": "test-row"}})"),
      path +
          ": /source/plugin: no plugin named \"test-row\" (did you mean \"test-rows\"?); available source "
          "plugins: test-rows");
}

TEST_F(PipelineConfigTest, PluginWithoutThatStageSaysWhatItProvides) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(assemble_error(R"({"source": {"plugin": "test-rows"}, "loggers": [{"plugin": "test-rows"}]})"),
            path +
                ": /loggers/0/plugin: plugin \"test-rows\" has no logger stage (it provides: source, sink); "
                "available logger plugins: none");
}

TEST_F(PipelineConfigTest, PluginSectionsAreCheckedAgainstTheirSchema) {
  auto path = dir_.file("run.json");
  EXPECT_EQ(assemble_error(R"({"source": {"plugin": "test-rows", "rows": "ten"},
                               "sinks": [{"plugin": "test-rows", "pth": "x"}]})"),
            path + ": /source/rows: expected integer, got string \"ten\"\n" + path +
                ": /sinks/0/path: missing (required)\n" + path +
                ": /sinks/0/pth: unknown key \"pth\" (did you mean \"path\"?)");
}

TEST_F(PipelineConfigTest, FactoryThatThrowsIsAClearError) {
  auto message = assemble_error(R"({"source": {"plugin": "test-rows", "explode_on_create": true}})");
  EXPECT_NE(message.find("/source: plugin \"test-rows\" ("), std::string::npos) << message;
  EXPECT_NE(message.find(") could not create its source: asked to explode on create"), std::string::npos)
      << message;
}

}  // namespace
