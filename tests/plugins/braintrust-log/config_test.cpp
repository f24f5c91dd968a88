// braintrust-log config: defaults, the declaration's refusals, the checks the logger adds itself, and
// the schema the host validates.
#include "config.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "config/json_schema.hpp"

namespace {

namespace json = boost::json;
using pipehost::braintrust::BraintrustLogConfig;
using pipehost::braintrust::check_config;
using pipehost::braintrust::config_spec;

/// The config as the logger's constructor gets it: read by its declaration, then checked.
BraintrustLogConfig read_config(const std::string& text) {
  BraintrustLogConfig config;
  pipehost::Status read = config_spec().read_json(text, config);
  if (!read) throw std::invalid_argument(read.message());
  check_config(config);
  return config;
}

std::string error_of(const std::string& config) {
  try {
    read_config(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::vector<pipehost::config::SchemaIssue> schema_issues(json::value config) {
  pipehost::config::JsonSchema schema(config_spec().schema(), "braintrust-log schema");
  return schema.validate(config, "/loggers/0", "/work/configs");
}

TEST(BraintrustLogConfig, DefaultsFollowTheBrief) {
  auto config = read_config(R"({"project": "Music Classification"})");
  EXPECT_EQ(config.project, "Music Classification");
  EXPECT_EQ(config.api_key_env, "BRAINTRUST_API_KEY");
  EXPECT_EQ(config.api_url, "https://api.braintrust.dev");
  EXPECT_EQ(config.app_url, "https://www.braintrust.dev");
  EXPECT_TRUE(config.link_allowed()) << "both URLs are the public service's";
  EXPECT_EQ(config.batch_size, 100);
  EXPECT_EQ(config.flush_interval().count(), 1000);
  EXPECT_EQ(config.max_request_bytes, 3 * 1024 * 1024);
  EXPECT_EQ(config.queue_size, 2000);
  EXPECT_EQ(config.max_retry().count(), 60000);
  EXPECT_FALSE(config.failed_file);
  EXPECT_FALSE(config.ca_file);
  EXPECT_EQ(config.events.system_instruction, pipehost::braintrust::SystemInstructionMode::omit);
  EXPECT_TRUE(config.events.user_message && config.events.raw_answer && config.events.parsed_fields);
  EXPECT_FALSE(config.events.input_columns.has_value());  // all columns
  EXPECT_TRUE(config.events.tags.empty());
}

TEST(BraintrustLogConfig, ReadsEveryOption) {
  auto config =
      read_config(R"({"project_id": "p-1", "api_key_env": "BT_KEY", "api_url": "https://127.0.0.1:9/",
    "app_url": "https://127.0.0.1:9", "ca_file": "/tmp/ca.pem", "batch_size": 7, "flush_interval_ms": 20,
    "max_request_bytes": 4096, "queue_size": 3, "max_retry_s": 0.5, "retry_initial_ms": 5, "retry_max_ms": 50,
    "connect_timeout_s": 1, "io_timeout_s": 2, "failed_file": "/tmp/f.jsonl", "system_instruction": "hash",
    "user_message": false, "raw_answer": false, "parsed_fields": false, "input_columns": ["a"], "tags": ["x"]})");
  EXPECT_EQ(config.project_id, "p-1");
  EXPECT_EQ(config.api_key_env, "BT_KEY");
  EXPECT_EQ(config.api_url, "https://127.0.0.1:9");  // trailing slash dropped
  EXPECT_EQ(config.app_url, "https://127.0.0.1:9");
  EXPECT_TRUE(config.link_allowed()) << "app_url points where the user said";
  EXPECT_EQ(config.ca_file, "/tmp/ca.pem");
  EXPECT_EQ(config.batch_size, 7);
  EXPECT_EQ(config.flush_interval().count(), 20);
  EXPECT_EQ(config.max_request_bytes, 4096);
  EXPECT_EQ(config.queue_size, 3);
  EXPECT_EQ(config.max_retry().count(), 500);
  EXPECT_EQ(config.retry_initial_backoff().count(), 5);
  EXPECT_EQ(config.retry_max_backoff().count(), 50);
  EXPECT_EQ(config.connect_timeout().count(), 1000);
  EXPECT_EQ(config.io_timeout().count(), 2000);
  EXPECT_EQ(config.failed_file, "/tmp/f.jsonl");
  EXPECT_EQ(config.events.system_instruction, pipehost::braintrust::SystemInstructionMode::hash);
  EXPECT_FALSE(config.events.user_message || config.events.raw_answer || config.events.parsed_fields);
  EXPECT_EQ(*config.events.input_columns, std::vector<std::string>{"a"});
  EXPECT_EQ(config.events.tags, std::vector<std::string>{"x"});
}

TEST(BraintrustLogConfig, TheLogsLinkIsNeverAskedOfThePublicAppForAnotherApi) {
  EXPECT_FALSE(read_config(R"({"project": "a", "api_url": "https://127.0.0.1:9"})").link_allowed());
  EXPECT_TRUE(read_config(R"({"project": "a", "api_url": "https://api.braintrust.dev/"})").link_allowed());
  EXPECT_TRUE(
      read_config(R"({"project": "a", "api_url": "https://127.0.0.1:9", "app_url": "https://127.0.0.1:8"})")
          .link_allowed());
}

TEST(BraintrustLogConfig, NeedsExactlyOneOfProjectAndProjectId) {
  EXPECT_NE(error_of("{}").find("exactly one of \"project\""), std::string::npos);
  EXPECT_NE(error_of(R"({"project": "a", "project_id": "b"})").find("exactly one"), std::string::npos);
}

TEST(BraintrustLogConfig, BadValuesNameTheKey) {
  EXPECT_EQ(error_of(R"({"project": "a", "batch_size": 0})"), "/batch_size: must be at least 1, got 0");
  EXPECT_EQ(error_of(R"({"project": "a", "batch_size": 1001})"),
            "/batch_size: must be at most 1000, got 1001");
  EXPECT_EQ(error_of(R"({"project": "a", "batch_size": 1.5})"),
            "/batch_size: expected a whole number, got 1.5");
  EXPECT_EQ(error_of(R"({"project": "a", "api_url": "ftp://x"})"),
            "braintrust-log.api_url: expected an http:// or https:// URL, got \"ftp://x\"");
  EXPECT_EQ(error_of(R"({"project": "a", "api_key_env": ""})"),
            "braintrust-log.api_key_env: must name an environment variable");
  EXPECT_EQ(error_of(R"({"project": "a", "system_instruction": "some"})"),
            "/system_instruction: expected one of \"omit\", \"hash\", \"full\", got \"some\"");
  EXPECT_EQ(error_of(R"({"project": "a", "tags": ["a", 1]})"),
            "/tags: expected an array of strings, got [\"a\",1]");
  EXPECT_EQ(error_of(R"({"project": "a", "batchsize": 5})"), "/batchsize: unknown key");
  EXPECT_EQ(error_of("[]"), "/: expected an object");
}

TEST(BraintrustLogConfig, SchemaAcceptsAFullConfigAndResolvesPaths) {
  json::value config = json::parse(R"({"project": "p", "ca_file": "certs/ca.pem", "failed_file": null,
    "system_instruction": "full", "input_columns": null, "tags": ["t"], "max_retry_s": 1.5})");
  auto issues = schema_issues(config);
  EXPECT_TRUE(issues.empty()) << issues.front().pointer << ": " << issues.front().message;
  pipehost::config::JsonSchema schema(config_spec().schema(), "schema");
  schema.validate(config, "/loggers/0", "/work/configs");
  EXPECT_EQ(config.at("ca_file").as_string(), "/work/configs/certs/ca.pem");
}

TEST(BraintrustLogConfig, SchemaRejectsUnknownKeysAndBadEnums) {
  EXPECT_FALSE(schema_issues(json::parse(R"({"project": "p", "batchsize": 1})")).empty());
  EXPECT_FALSE(schema_issues(json::parse(R"({"project": "p", "system_instruction": "some"})")).empty());
  EXPECT_FALSE(schema_issues(json::parse(R"({"project": "p", "queue_size": 0})")).empty());
  // The schema says additionalProperties: false at the top.
  EXPECT_FALSE(json::parse(config_spec().schema()).at("additionalProperties").as_bool());
}

}  // namespace
