// The typed config view: one declaration gives the JSON Schema (types, defaults, required, formats,
// enums, bounds, item counts, nested and included structs) and fills the struct, starting from its
// defaults, refusing what the schema refuses.
#include <gtest/gtest.h>

#include "pipehost/config.hpp"
#include "test_host.hpp"

namespace {

using pipehost::ConfigSpec;
using pipehost::Value;

struct Limits {
  int retries = 3;
  double timeout_s = 2.5;
};

struct Settings {
  std::string path;
  std::string delimiter = ",";
  bool header = true;
  std::int64_t batch = 100;
  std::optional<std::string> ca_file;
  std::optional<std::vector<std::string>> columns;
  std::vector<std::string> tags;
  std::string key_env = "MY_KEY";
  Value extra;
  Limits limits;
};

ConfigSpec<Limits> limits_spec() {
  ConfigSpec<Limits> spec;
  spec.add("retries", &Limits::retries).minimum(0).maximum(10);
  spec.add("timeout_s", &Limits::timeout_s).exclusive_minimum(0);
  return spec;
}

ConfigSpec<Settings> settings_spec() {
  ConfigSpec<Settings> spec;
  spec.add("path", &Settings::path, "File to read").required().path();
  spec.add("delimiter", &Settings::delimiter).one_of({",", ";"});
  spec.add("header", &Settings::header);
  spec.add("batch", &Settings::batch).minimum(1);
  spec.add("ca_file", &Settings::ca_file).path();
  spec.add("columns", &Settings::columns);
  spec.add("tags", &Settings::tags);
  spec.add("key_env", &Settings::key_env).secret_env();
  spec.add("extra", &Settings::extra);
  spec.add("limits", &Settings::limits, limits_spec(), "Retry limits");
  return spec;
}

Value schema_of(std::string_view text) {
  Value v;
  std::string error;
  EXPECT_TRUE(pipehost::parse_json(text, v, error)) << error;
  return v;
}

TEST(ConfigView, TheDeclarationIsTheSchema) {
  Value schema = schema_of(settings_spec().schema());
  EXPECT_EQ(pipehost::to_json(*schema.find("additionalProperties")), "false");
  EXPECT_EQ(pipehost::to_json(*schema.find("required")), R"(["path"])");
  const Value& p = *schema.find("properties");
  EXPECT_EQ(pipehost::to_json(*p.find("path")),
            R"({"type":"string","format":"path","description":"File to read"})");
  EXPECT_EQ(pipehost::to_json(*p.find("delimiter")), R"({"type":"string","enum":[",",";"],"default":","})");
  EXPECT_EQ(pipehost::to_json(*p.find("header")), R"({"type":"boolean","default":true})");
  EXPECT_EQ(pipehost::to_json(*p.find("batch")), R"({"type":"integer","minimum":1,"default":100})");
  EXPECT_EQ(pipehost::to_json(*p.find("ca_file")),
            R"({"type":["string","null"],"format":"path","default":null})");
  EXPECT_EQ(pipehost::to_json(*p.find("columns")),
            R"({"type":["array","null"],"items":{"type":"string"},"default":null})");
  EXPECT_EQ(pipehost::to_json(*p.find("key_env")),
            R"({"type":"string","format":"secret-env","default":"MY_KEY"})");
  EXPECT_EQ(pipehost::to_json(*p.find("extra")), R"({"type":"object"})");
  const Value& limits = *p.find("limits");
  EXPECT_EQ(pipehost::to_json(*limits.find("properties")->find("retries")),
            R"({"type":"integer","minimum":0,"maximum":10,"default":3})");
  EXPECT_EQ(pipehost::to_json(*limits.find("properties")->find("timeout_s")),
            R"({"type":"number","exclusiveMinimum":0,"default":2.5})");
}

TEST(ConfigView, ReadFillsTheStructFromItsDefaults) {
  Settings s;
  auto read = settings_spec().read_json(
      R"({"path": "/in.csv", "batch": 5, "ca_file": null, "columns": ["a", "b"], "extra": {"x": 1},
          "limits": {"retries": 7}})",
      s);
  ASSERT_TRUE(read) << read.message();
  EXPECT_EQ(s.path, "/in.csv");
  EXPECT_EQ(s.delimiter, ",");
  EXPECT_TRUE(s.header);
  EXPECT_EQ(s.batch, 5);
  EXPECT_FALSE(s.ca_file);
  EXPECT_EQ(s.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(pipehost::to_json(s.extra), R"({"x":1})");
  EXPECT_EQ(s.limits.retries, 7);
  EXPECT_EQ(s.limits.timeout_s, 2.5);
}

TEST(ConfigView, ReadRefusesWhatTheSchemaWouldWithThePointer) {
  Settings s;
  EXPECT_EQ(settings_spec().read_json(R"({})", s).message(), "/path: missing");
  EXPECT_EQ(settings_spec().read_json(R"({"path": "p", "batch": "many"})", s).message(),
            "/batch: expected a whole number, got \"many\"");
  EXPECT_EQ(settings_spec().read_json(R"({"path": "p", "limits": {"retries": true}})", s).message(),
            "/limits/retries: expected a whole number, got true");
  EXPECT_EQ(settings_spec().read_json(R"({"path": "p", "oops": 1})", s).message(), "/oops: unknown key");
  EXPECT_EQ(settings_spec().read_json("not json", s).message(),
            "config is not valid JSON: offset 0: invalid literal");
}

TEST(ConfigView, ReadChecksTheConstraintsTheSchemaStates) {
  Settings s;
  auto error = [&](std::string_view json) { return settings_spec().read_json(json, s).message(); };
  EXPECT_EQ(error(R"({"path": "p", "delimiter": "|"})"),
            "/delimiter: expected one of \",\", \";\", got \"|\"");
  EXPECT_EQ(error(R"({"path": "p", "batch": 0})"), "/batch: must be at least 1, got 0");
  EXPECT_EQ(error(R"({"path": "p", "limits": {"retries": 11}})"),
            "/limits/retries: must be at most 10, got 11");
  EXPECT_EQ(error(R"({"path": "p", "limits": {"timeout_s": 0}})"),
            "/limits/timeout_s: must be greater than 0, got 0");
  EXPECT_EQ(error(R"({"path": "p", "batch": 1, "limits": {"retries": 10, "timeout_s": 0.5}})"), "");
}

enum class Mode { omit, hash, full };

struct Shared {
  Mode mode = Mode::hash;
  std::vector<std::string> tags;
};

struct Logger {
  std::string path;
  std::optional<double> temperature;
  std::optional<std::string> mime;
  std::vector<std::string> tools;
  std::vector<std::string> columns;
  std::optional<std::string> level;
  Shared shared;
};

ConfigSpec<Shared> shared_spec() {
  ConfigSpec<Shared> spec;
  spec.add("mode", &Shared::mode, {{"omit", Mode::omit}, {"hash", Mode::hash}, {"full", Mode::full}},
           "How to log it");
  spec.add("tags", &Shared::tags).max_items(2);
  return spec;
}

ConfigSpec<Logger> logger_spec() {
  ConfigSpec<Logger> spec;
  spec.add("path", &Logger::path).required().path().min_length(1);
  spec.add("temperature", &Logger::temperature).minimum(0).maximum(2).not_null();
  spec.add("mime", &Logger::mime).not_null().min_length(1);
  spec.add("tools", &Logger::tools).one_of({"web_search"});
  spec.add("columns", &Logger::columns).min_items(1);
  spec.add("level", &Logger::level).one_of({"low", "high"});
  spec.include(&Logger::shared, shared_spec());
  return spec;
}

TEST(ConfigView, EnumsIncludedSpecsItemConstraintsAndNotNull) {
  Value schema = schema_of(logger_spec().schema());
  const Value& p = *schema.find("properties");
  EXPECT_EQ(
      pipehost::to_json(*p.find("mode")),
      R"({"type":"string","enum":["omit","hash","full"],"description":"How to log it","default":"hash"})");
  EXPECT_EQ(pipehost::to_json(*p.find("tags")),
            R"({"type":"array","items":{"type":"string"},"maxItems":2,"default":[]})");
  EXPECT_EQ(pipehost::to_json(*p.find("temperature")), R"({"type":"number","minimum":0,"maximum":2})");
  EXPECT_EQ(pipehost::to_json(*p.find("mime")), R"({"type":"string","minLength":1})");
  EXPECT_EQ(pipehost::to_json(*p.find("tools")),
            R"({"type":"array","items":{"type":"string","enum":["web_search"]},"default":[]})");
  EXPECT_EQ(pipehost::to_json(*p.find("columns")),
            R"({"type":"array","items":{"type":"string"},"minItems":1,"default":[]})");

  EXPECT_EQ(pipehost::to_json(*p.find("level")),
            R"({"type":["string","null"],"enum":["low","high",null],"default":null})")
      << "null (unset) passes the host's enum check too";

  Logger l;
  ASSERT_TRUE(logger_spec().read_json(
      R"({"path": "/x", "temperature": 0.5, "mode": "full", "tags": ["a"], "tools": ["web_search"]})", l));
  EXPECT_EQ(l.shared.mode, Mode::full);
  EXPECT_EQ(l.shared.tags, std::vector<std::string>{"a"});
  EXPECT_EQ(l.temperature, 0.5);
  EXPECT_FALSE(l.mime);
  Logger defaults;
  ASSERT_TRUE(logger_spec().read_json(R"({"path": "/x"})", defaults));
  EXPECT_EQ(defaults.shared.mode, Mode::hash);

  auto error = [](std::string_view json) {
    Logger out;
    return logger_spec().read_json(json, out, "/loggers/0").message();
  };
  EXPECT_EQ(error(R"({"path": "/x", "mode": "some"})"),
            "/loggers/0/mode: expected one of \"omit\", \"hash\", \"full\", got \"some\"");
  EXPECT_EQ(error(R"({"path": "/x", "mode": 1})"), "/loggers/0/mode: expected a string, got 1");
  EXPECT_EQ(error(R"({"path": "/x", "tags": ["a", "b", "c"]})"),
            "/loggers/0/tags: expected at most 2 items, got 3");
  EXPECT_EQ(error(R"({"path": "/x", "columns": []})"),
            "/loggers/0/columns: expected at least 1 items, got 0");
  EXPECT_EQ(error(R"({"path": "/x", "tools": ["web_search", "google"]})"),
            "/loggers/0/tools/1: expected one of \"web_search\", got \"google\"");
  EXPECT_EQ(error(R"({"path": "/x", "temperature": null})"),
            "/loggers/0/temperature: expected a number, got null");
  EXPECT_EQ(error(R"({"path": "/x", "temperature": 2.5})"),
            "/loggers/0/temperature: must be at most 2, got 2.5");
  EXPECT_EQ(error(R"({"path": "/x", "mime": ""})"), "/loggers/0/mime: must not be empty");
  EXPECT_EQ(error(R"({"path": "/x", "level": "mid"})"),
            "/loggers/0/level: expected one of \"low\", \"high\", got \"mid\"");
  EXPECT_EQ(error(R"({"path": "/x", "level": null})"), "");
  EXPECT_EQ(error(R"({"path": ""})"), "/loggers/0/path: must not be empty");
  EXPECT_EQ(error(R"({})"), "/loggers/0/path: missing");
}

TEST(ConfigView, ReadFromAStageContextResolvesRelativePathsAndNamesThePointer) {
  pipehost::test::TestHost host;
  Settings s;
  pipehost::StageContext context{host, R"({"path": "data/../in.csv", "ca_file": "certs/ca.pem"})",
                                 "/work/cfg", "/source"};
  ASSERT_TRUE(settings_spec().read(context, s));
  EXPECT_EQ(s.path, "/work/cfg/in.csv");
  EXPECT_EQ(s.ca_file, "/work/cfg/certs/ca.pem");
  context.config_json = R"({"path": "/abs/in.csv", "key_env": "K"})";
  ASSERT_TRUE(settings_spec().read(context, s));
  EXPECT_EQ(s.path, "/abs/in.csv");
  EXPECT_EQ(s.key_env, "K") << "only .path() fields resolve";
  context.config_json = R"({"path": "p", "batch": 0})";
  EXPECT_EQ(settings_spec().read(context, s).message(), "/source/batch: must be at least 1, got 0");
}

}  // namespace
