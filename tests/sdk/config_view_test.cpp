// The typed config view: one declaration gives the JSON Schema (types, defaults, required, formats,
// enums, bounds, nested objects) and fills the struct, starting from its defaults.
#include <gtest/gtest.h>

#include "pipehost/config.hpp"

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

}  // namespace
