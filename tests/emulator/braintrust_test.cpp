// BrainTrust routes through real HTTPS: login, projects, /logs3 and /v1 insert with
// upsert/merge, fetch with cursor paging, stats.
#include "gemini_client.hpp"

namespace pipehost::test {
namespace {

class Braintrust {
 public:
  explicit Braintrust(const EmulatorProcess& emulator) : emulator_(emulator) {}
  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {}) const {
    return emulator_.request(
        method, target, body,
        {{"Authorization", "Bearer test-braintrust-key"}, {"Content-Type", "application/json"}});
  }
  json::object ok(const std::string& method, const std::string& target, const std::string& body = {}) const {
    HttpReply reply = call(method, target, body);
    EXPECT_EQ(reply.status, 200u) << method << " " << target << ": " << reply.body;
    return parse_json(reply.body).as_object();
  }

 private:
  const EmulatorProcess& emulator_;
};

TEST(EmulatorBraintrust, LoginPointsApiUrlAtTheEmulatorAndProjectsAreGetOrCreate) {
  EmulatorProcess emulator;
  Braintrust bt(emulator);
  json::object login = bt.ok("POST", "/api/apikey/login");
  EXPECT_EQ(str(login.at("org_info").at(0).at("api_url")), emulator.base_url());
  std::string org_id = str(login.at("org_info").at(0).at("id"));

  json::object registered =
      bt.ok("POST", "/api/project/register", R"({"project_name":"Music","org_id":")" + org_id + "\"}");
  std::string id = str(registered.at("project").at("id"));
  EXPECT_EQ(str(bt.ok("POST", "/api/project/register", R"({"project_name":"Music"})").at("project").at("id")),
            id);
  EXPECT_EQ(str(bt.ok("GET", "/api/project?id=" + id).at("name")), "Music");
  EXPECT_EQ(str(bt.ok("POST", "/v1/project", R"({"name":"Music"})").at("id")), id);
  EXPECT_EQ(str(bt.ok("GET", "/v1/project?project_name=Music").at("objects").at(0).at("id")), id);
  EXPECT_TRUE(bt.ok("GET", "/v1/project?project_name=Other").at("objects").as_array().empty());
  EXPECT_EQ(str(bt.ok("GET", "/v1/project/" + id).at("org_id")), org_id);
  EXPECT_EQ(bt.call("GET", "/v1/project/nope").status, 404u);
  EXPECT_TRUE(bt.ok("GET", "/version").contains("version"));
}

TEST(EmulatorBraintrust, InsertUpsertsWithMergeSemanticsAndFetchPagesWithACursor) {
  EmulatorProcess emulator;
  Braintrust bt(emulator);
  std::string id = str(bt.ok("POST", "/v1/project", R"({"name":"P"})").at("id"));
  std::string base = "/v1/project_logs/" + id;
  json::object inserted =
      bt.ok("POST", base + "/insert",
            R"({"events":[{"id":"a","input":{"row":1},"output":"x","tags":["t1"],"metadata":{"model":"m"}},
                                              {"id":"b","output":"first"},{"output":"no id"}]})");
  ASSERT_EQ(inserted.at("row_ids").as_array().size(), 3u);
  EXPECT_EQ(str(inserted.at("row_ids").at(0)), "a");
  std::string generated = str(inserted.at("row_ids").at(2));
  EXPECT_FALSE(generated.empty());
  bt.ok(
      "POST", base + "/insert",
      R"({"events":[{"id":"a","_is_merge":true,"metadata":{"tokens":7},"tags":["t2"]},{"id":"b","output":"second"}]})");

  std::vector<json::object> rows;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    json::object body =
        bt.ok("POST", base + "/fetch",
              cursor.empty() ? R"({"limit":1})" : R"({"limit":1,"cursor":")" + cursor + "\"}");
    if (body.at("events").as_array().empty()) {
      EXPECT_TRUE(body.at("cursor").is_null());
      break;
    }
    for (const auto& event : body.at("events").as_array()) rows.push_back(event.as_object());
    cursor = str(body.at("cursor"));
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(str(rows[0].at("id")), "b") << "newest write first";
  EXPECT_EQ(str(rows[0].at("output")), "second");
  EXPECT_EQ(str(rows[1].at("id")), "a");
  EXPECT_EQ(rows[1].at("metadata"), json::parse(R"({"model":"m","tokens":7})"));
  EXPECT_EQ(rows[1].at("tags"), json::parse(R"(["t1","t2"])"));
  EXPECT_EQ(rows[1].at("input"), json::parse(R"({"row":1})"));
  for (const auto& row : rows) {
    for (const char* field :
         {"id", "_xact_id", "created", "org_id", "project_id", "log_id", "span_id", "root_span_id"}) {
      EXPECT_TRUE(row.contains(field)) << field;
    }
  }
  json::object via_get = bt.ok("GET", base + "/fetch?limit=10");
  EXPECT_EQ(via_get.at("events").as_array().size(), 3u);

  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("braintrust_events").as_int64(), 3) << "distinct rows";
  EXPECT_EQ(stats.at("braintrust_insert_calls").as_int64(), 2);
  EXPECT_EQ(stats.at("braintrust_rows_written").as_int64(), 5);
  EXPECT_EQ(bt.call("POST", "/v1/project_logs/unknown/insert", R"({"events":[]})").status, 404u);
}

TEST(EmulatorBraintrust, Logs3RowsUpsertByProjectAndId) {
  EmulatorProcess emulator;
  Braintrust bt(emulator);
  std::string id =
      str(bt.ok("POST", "/api/project/register", R"({"project_name":"L"})").at("project").at("id"));
  std::string first =
      R"({"rows":[{"id":"r1","span_id":"s1","root_span_id":"t1","input":"q","metrics":{"start":1},"_is_merge":false,"project_id":")" +
      id + R"(","log_id":"g"}],"api_version":2})";
  std::string second =
      R"({"rows":[{"id":"r1","span_id":"s1","root_span_id":"t1","metrics":{"end":2},"output":"a","_is_merge":true,"project_id":")" +
      id + R"(","log_id":"g"}],"api_version":2})";
  bt.ok("POST", "/logs3", first);
  bt.ok("POST", "/logs3", second);
  json::object fetched = bt.ok("GET", "/v1/project_logs/" + id + "/fetch");
  ASSERT_EQ(fetched.at("events").as_array().size(), 1u);
  const auto& row = fetched.at("events").at(0);
  EXPECT_EQ(row.at("metrics"), json::parse(R"({"start":1,"end":2})"));
  EXPECT_EQ(str(row.at("output")), "a");
  EXPECT_EQ(str(row.at("root_span_id")), "t1");
  EXPECT_EQ(row.at("is_root"), true);
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("braintrust_logs3_calls").as_int64(), 2);
  EXPECT_EQ(stats.at("braintrust_events").as_int64(), 1);
  EXPECT_EQ(bt.call("POST", "/logs3", R"({"rows":[{"id":"x"}],"api_version":2})").status, 400u);
}

}  // namespace
}  // namespace pipehost::test
