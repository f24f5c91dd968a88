// Anthropic Message Batches through real HTTPS against the emulator binary: create → poll →
// results (every custom_id once, not in input order, no blank lines), list paging, cancel,
// delete, and the create-time validation.
#include <set>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "anthropic_client.hpp"

namespace pipehost::test {
namespace {

const char* const kBatchFields[] = {
    "id",         "type",       "processing_status", "request_counts",      "ended_at",
    "created_at", "expires_at", "archived_at",       "cancel_initiated_at", "results_url"};

std::string id_of(const json::object& batch) {
  return str(batch.at("id"));
}

TEST(AnthropicBatches, CreatePollResultsReturnsEveryCustomIdOnceOutOfOrder) {
  EmulatorProcess emulator({.faults = "batch_ms=100"});
  AnthropicCalls anthropic(emulator);
  json::object created = anthropic.create_batch(song_requests(40, long_system_text(1500)));
  for (const char* field : kBatchFields) EXPECT_TRUE(created.contains(field)) << field;
  EXPECT_EQ(created.size(), std::size(kBatchFields)) << json::serialize(created);
  EXPECT_EQ(id_of(created).rfind("msgbatch_", 0), 0u);
  EXPECT_EQ(created.at("type"), "message_batch");
  EXPECT_EQ(created.at("processing_status"), "in_progress");
  EXPECT_EQ(json::serialize(created.at("request_counts")),
            R"({"processing":40,"succeeded":0,"errored":0,"canceled":0,"expired":0})");
  for (const char* field : {"ended_at", "archived_at", "cancel_initiated_at", "results_url"})
    EXPECT_TRUE(created.at(field).is_null()) << field;
  EXPECT_LT(str(created.at("created_at")), str(created.at("expires_at")));

  json::object ended = anthropic.wait_until_ended(id_of(created));
  EXPECT_EQ(json::serialize(ended.at("request_counts")),
            R"({"processing":0,"succeeded":40,"errored":0,"canceled":0,"expired":0})");
  EXPECT_TRUE(ended.at("ended_at").is_string());
  EXPECT_EQ(str(ended.at("results_url")),
            emulator.base_url() + "/v1/messages/batches/" + id_of(created) + "/results");

  std::vector<json::object> lines = anthropic.results(ended);
  ASSERT_EQ(lines.size(), 40u);
  std::set<std::string> ids;
  std::vector<std::string> order, input_order;
  for (const auto& line : lines) {
    std::string id = str(line.at("custom_id"));
    EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
    order.push_back(id);
    ASSERT_EQ(line.at("result").at("type"), "succeeded") << json::serialize(line);
    const json::object& message = line.at("result").at("message").as_object();
    EXPECT_EQ(message.at("type"), "message");
    EXPECT_EQ(message.at("role"), "assistant");
    EXPECT_EQ(message.at("model"), "claude-sonnet-4-5");
    EXPECT_EQ(message.at("stop_reason"), "tool_use");
    EXPECT_EQ(message.at("usage").at("service_tier"), "batch");
  }
  for (int i = 0; i < 40; ++i) input_order.push_back("song-" + std::to_string(i));
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_NE(order, input_order) << "results must not keep input order";
}

TEST(AnthropicBatches, ListPagesNewestFirstWithAfterAndBeforeIds) {
  EmulatorProcess emulator({.faults = "batch_ms=50"});
  AnthropicCalls anthropic(emulator);
  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 5; ++i) ids.push_back(id_of(anthropic.create_batch(song_requests(1, "Classify."))));
  auto page = [&](const std::string& query) {
    HttpReply reply = anthropic.call("GET", "/v1/messages/batches" + query);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    json::object body = parse_json(reply.body).as_object();
    std::vector<std::string> listed;
    for (const auto& batch : body.at("data").as_array()) listed.push_back(str(batch.at("id")));
    if (!listed.empty()) {
      EXPECT_EQ(str(body.at("first_id")), listed.front());
      EXPECT_EQ(str(body.at("last_id")), listed.back());
    }
    return std::make_pair(listed, body.at("has_more").as_bool());
  };
  using Page = std::pair<std::vector<std::string>, bool>;
  EXPECT_EQ(page("?limit=2"), (Page{{ids[4], ids[3]}, true}));
  EXPECT_EQ(page("?limit=2&after_id=" + ids[3]), (Page{{ids[2], ids[1]}, true}));
  EXPECT_EQ(page("?limit=2&after_id=" + ids[1]), (Page{{ids[0]}, false}));
  EXPECT_EQ(page("?limit=2&before_id=" + ids[0]), (Page{{ids[2], ids[1]}, true}));
  EXPECT_EQ(page("?limit=2&before_id=" + ids[2]), (Page{{ids[4], ids[3]}, false}));
  EXPECT_EQ(page("").first.size(), 5u);  // default limit 20
  HttpReply empty = anthropic.call("GET", "/v1/messages/batches?after_id=" + ids[0]);
  json::object body = parse_json(empty.body).as_object();
  EXPECT_TRUE(body.at("data").as_array().empty());
  EXPECT_TRUE(body.at("first_id").is_null());
  EXPECT_TRUE(body.at("last_id").is_null());
  for (const char* bad :
       {"?limit=0", "?limit=1001", "?limit=x", "?after_id=msgbatch_nope", "?after_id=a&before_id=b"}) {
    HttpReply reply = anthropic.call("GET", std::string("/v1/messages/batches") + bad);
    EXPECT_EQ(reply.status, 400u) << bad;
    EXPECT_EQ(parse_json(reply.body).at("error").at("type"), "invalid_request_error") << bad;
  }
}

TEST(AnthropicBatches, CancelGoesThroughCancelingToEndedWithCanceledResults) {
  EmulatorProcess emulator({.faults = "batch_ms=20000"});
  AnthropicCalls anthropic(emulator);
  std::string id = id_of(anthropic.create_batch(song_requests(5, "Classify.")));
  HttpReply early = anthropic.call("GET", "/v1/messages/batches/" + id + "/results");
  EXPECT_EQ(early.status, 404u) << "no results before the batch has ended";
  HttpReply refused = anthropic.call("DELETE", "/v1/messages/batches/" + id);
  EXPECT_EQ(refused.status, 400u) << "a batch still processing cannot be deleted";

  HttpReply canceled = anthropic.call("POST", "/v1/messages/batches/" + id + "/cancel");
  ASSERT_EQ(canceled.status, 200u) << canceled.body;
  json::object batch = parse_json(canceled.body).as_object();
  EXPECT_EQ(batch.at("processing_status"), "canceling");
  EXPECT_TRUE(batch.at("cancel_initiated_at").is_string());
  EXPECT_EQ(batch.at("request_counts").at("processing").as_int64(), 5);

  json::object ended = anthropic.wait_until_ended(id, std::chrono::seconds(5));
  EXPECT_EQ(json::serialize(ended.at("request_counts")),
            R"({"processing":0,"succeeded":0,"errored":0,"canceled":5,"expired":0})");
  for (const auto& line : anthropic.results(ended))
    EXPECT_EQ(json::serialize(line.at("result")), R"({"type":"canceled"})");
  // Canceling an ended batch changes nothing.
  HttpReply again = anthropic.call("POST", "/v1/messages/batches/" + id + "/cancel");
  EXPECT_EQ(parse_json(again.body).at("processing_status"), "ended");

  HttpReply deleted = anthropic.call("DELETE", "/v1/messages/batches/" + id);
  ASSERT_EQ(deleted.status, 200u) << deleted.body;
  EXPECT_EQ(json::serialize(parse_json(deleted.body)),
            R"({"id":")" + id + R"(","type":"message_batch_deleted"})");
  HttpReply gone = anthropic.call("GET", "/v1/messages/batches/" + id);
  EXPECT_EQ(gone.status, 404u);
  EXPECT_EQ(parse_json(gone.body).at("error").at("type"), "not_found_error");
}

TEST(AnthropicBatches, RequestsFinishedBeforeACancelAreAnsweredTheRestCanceled) {
  EmulatorProcess emulator({.faults = "batch_ms=3000"});
  AnthropicCalls anthropic(emulator);
  std::string id = id_of(anthropic.create_batch(song_requests(20, "Classify.")));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // about 2 requests done by then
  anthropic.call("POST", "/v1/messages/batches/" + id + "/cancel");
  json::object counts = anthropic.wait_until_ended(id).at("request_counts").as_object();
  std::int64_t succeeded = counts.at("succeeded").as_int64(), canceled = counts.at("canceled").as_int64();
  EXPECT_EQ(succeeded + canceled, 20);
  EXPECT_GT(succeeded, 0);
  EXPECT_GT(canceled, 0);
}

TEST(AnthropicBatches, CreateValidatesCustomIdsCountAndShape) {
  EmulatorProcess emulator({.faults = "batch_ms=50"});
  AnthropicCalls anthropic(emulator);
  json::object params = song_params(1, "Classify.");
  auto request = [&](json::value custom_id) {
    return json::object{{"custom_id", std::move(custom_id)}, {"params", params}};
  };
  auto expect_invalid = [&](const std::string& body, const std::string& why) {
    HttpReply reply = anthropic.call("POST", "/v1/messages/batches", body);
    EXPECT_EQ(reply.status, 400u) << why << ": " << reply.body;
    json::object error = parse_json(reply.body).as_object();
    EXPECT_EQ(error.at("type"), "error") << why;
    EXPECT_EQ(error.at("error").at("type"), "invalid_request_error") << why;
    EXPECT_FALSE(str(error.at("error").at("message")).empty()) << why;
    EXPECT_EQ(reply.header("request-id"), str(error.at("request_id"))) << why;
  };
  auto batch_of = [](json::array requests) { return json::serialize(json::object{{"requests", requests}}); };
  expect_invalid(batch_of({request("has space")}), "space in custom_id");
  expect_invalid(batch_of({request("dot.id")}), "dot in custom_id");
  expect_invalid(batch_of({request(json::string(std::string(65, 'a')))}), "65-character custom_id");
  expect_invalid(batch_of({request("")}), "empty custom_id");
  expect_invalid(batch_of({request(7)}), "numeric custom_id");
  expect_invalid(batch_of({request("twin"), request("other"), request("twin")}), "duplicate custom_id");
  expect_invalid(batch_of({json::object{{"custom_id", "no-params"}}}), "missing params");
  expect_invalid(batch_of({}), "no requests");
  expect_invalid("{}", "no requests member");
  expect_invalid("not json", "not JSON");
  json::array too_many;
  for (int i = 0; i < 100001; ++i)
    too_many.push_back(json::object{{"custom_id", "r" + std::to_string(i)}, {"params", json::object{}}});
  expect_invalid(batch_of(too_many), "100,001 requests");
  EXPECT_EQ(parse_json(emulator.stats_json()).at("anthropic").at("batch_creates").as_int64(), 0);

  json::object ok = anthropic.create_batch({request(json::string(std::string(64, 'Z'))), request("a_B-9")});
  EXPECT_EQ(ok.at("request_counts").at("processing").as_int64(), 2);
}

TEST(AnthropicBatches, ABodyOver256MbIsRefusedWith413RequestTooLarge) {
  EmulatorOptions plain;
  plain.tls = false;  // a raw socket: the announced length is never sent
  EmulatorProcess emulator(plain);
  namespace net = boost::asio;
  std::string port = emulator.base_url().substr(emulator.base_url().rfind(':') + 1);
  net::io_context io;
  net::ip::tcp::socket socket(io);
  net::connect(socket, net::ip::tcp::resolver(io).resolve("127.0.0.1", port));
  net::write(socket, net::buffer("POST /v1/messages/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "x-api-key: test-anthropic-key\r\nanthropic-version: 2023-06-01\r\n"
                                 "Content-Type: application/json\r\nContent-Length: " +
                                 std::to_string((256u << 20) + 1) + "\r\n\r\n{\"requests\":["));
  std::string reply;
  boost::system::error_code ec;
  net::read(socket, net::dynamic_buffer(reply), ec);  // until the emulator closes the connection
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  EXPECT_NE(reply.find(R"("type":"request_too_large")"), std::string::npos) << reply;
}

TEST(AnthropicBatches, InvalidParamsBecomeErroredResultsAsTheApiValidatesThemAsynchronously) {
  EmulatorProcess emulator({.faults = "batch_ms=50"});
  AnthropicCalls anthropic(emulator);
  json::object no_model = song_params(1, "Classify.");
  no_model.erase("model");
  json::object zero_tokens = song_params(2, "Classify.");
  zero_tokens["max_tokens"] = 0;
  json::object unknown_tool = song_params(3, "Classify.");
  unknown_tool["tool_choice"] = json::object{{"type", "tool"}, {"name", "missing"}};
  json::array requests = {json::object{{"custom_id", "no-model"}, {"params", no_model}},
                          json::object{{"custom_id", "zero-tokens"}, {"params", zero_tokens}},
                          json::object{{"custom_id", "unknown-tool"}, {"params", unknown_tool}},
                          json::object{{"custom_id", "fine"}, {"params", song_params(4, "Classify.")}}};
  json::object ended = anthropic.wait_until_ended(id_of(anthropic.create_batch(requests)));
  EXPECT_EQ(ended.at("request_counts").at("errored").as_int64(), 3);
  EXPECT_EQ(ended.at("request_counts").at("succeeded").as_int64(), 1);
  for (const auto& line : anthropic.results(ended)) {
    const json::object& result = line.at("result").as_object();
    if (line.at("custom_id") == "fine") {
      EXPECT_EQ(result.at("type"), "succeeded");
      continue;
    }
    ASSERT_EQ(result.at("type"), "errored") << json::serialize(line);
    EXPECT_EQ(result.at("error").at("type"), "error");
    EXPECT_EQ(result.at("error").at("error").at("type"), "invalid_request_error");
    EXPECT_TRUE(result.at("error").at("request_id").is_string());
  }
}

}  // namespace
}  // namespace pipehost::test
