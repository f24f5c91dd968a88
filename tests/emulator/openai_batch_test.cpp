// The OpenAI Files + Batch API of the emulator through real HTTPS: uploads (Content-Length and
// chunked multipart), create → poll → download, unordered output, the error file, input
// validation, list pagination, cancel, and the Batch object's fields.
#include <algorithm>
#include <filesystem>
#include <set>

#include "openai_client.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

std::string bytes_of(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + (i * 7) % 26);
  return bytes;
}

std::vector<std::string> input_order(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("row-" + std::to_string(i));
  return ids;
}

TEST(EmulatorOpenAiFiles, ContentLengthAndChunkedUploadsKeepTheExactBytes) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  // The content holds CRLFs and dashes, so only the real boundary may end the part.
  std::string content = bytes_of(300000) + "\r\n--openai-k3j5\r\n--\r\n" + chat_input(2);
  for (bool chunked : {false, true}) {
    HttpReply reply =
        chunked ? openai.upload_chunked_reply(content, 16 * 1024) : openai.upload_reply(content);
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_FALSE(reply.header("x-request-id").empty());
    json::object file = parse_json(reply.body).as_object();
    std::string id = str(file.at("id"));
    EXPECT_EQ(id.rfind("file-", 0), 0u) << id;
    EXPECT_EQ(str(file.at("object")), "file");
    EXPECT_EQ(file.at("bytes").as_int64(), static_cast<std::int64_t>(content.size()));
    EXPECT_EQ(str(file.at("filename")), "input.jsonl");
    EXPECT_EQ(str(file.at("purpose")), "batch");
    EXPECT_EQ(str(file.at("status")), "processed");
    EXPECT_EQ(file.at("expires_at").as_int64() - file.at("created_at").as_int64(), 30 * 24 * 3600);
    EXPECT_EQ(parse_json(openai.call("GET", "/v1/files/" + id).body), json::value(file));
    EXPECT_EQ(openai.content(id), content) << (chunked ? "chunked" : "content-length");
    EXPECT_EQ(read_file(std::filesystem::path(emulator.state_dir()) / "openai" / "files" / (id + ".jsonl")),
              content);
  }
  // Chunks of 7 bytes split the boundary and the part headers across chunks.
  HttpReply tiny = openai.upload_chunked_reply(chat_input(1), 7);
  ASSERT_EQ(tiny.status, 200u) << tiny.body;
  EXPECT_EQ(openai.content(parse_json(tiny.body).at("id")), chat_input(1));
  EXPECT_EQ(parse_json(emulator.stats_json()).at("uploaded_bytes").as_int64(),
            static_cast<std::int64_t>(2 * content.size() + chat_input(1).size()));
}

TEST(EmulatorOpenAiFiles, UploadsAreCheckedLikeTheRealApi) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  HttpReply purpose = openai.upload_reply("x\n", "in.jsonl", "nonsense");
  EXPECT_EQ(purpose.status, 400u);
  EXPECT_EQ(str(parse_json(purpose.body).at("error").at("param")), "purpose");
  HttpReply not_jsonl = openai.upload_reply("x\n", "in.txt", "batch");
  EXPECT_EQ(not_jsonl.status, 400u);
  EXPECT_NE(not_jsonl.body.find("Must be .jsonl"), std::string::npos) << not_jsonl.body;
  EXPECT_EQ(openai.upload_reply("notes\n", "notes.txt", "user_data").status, 200u)
      << "other purposes take any file";
  HttpReply not_multipart = openai.call("POST", "/v1/files", "{}");
  EXPECT_EQ(not_multipart.status, 400u);
  json::object error = parse_json(not_multipart.body).at("error").as_object();
  for (const char* field : {"message", "type", "param", "code"}) EXPECT_TRUE(error.contains(field)) << field;
  std::string cut = multipart_body("b0undary", "in.jsonl", "abc", "batch");
  cut.resize(cut.size() - 12);
  HttpReply unfinished = emulator.request("POST", "/v1/files", cut,
                                          {{"Authorization", "Bearer test-openai-key"},
                                           {"Content-Type", "multipart/form-data; boundary=b0undary"}});
  EXPECT_EQ(unfinished.status, 400u) << "no closing boundary";
}

TEST(EmulatorOpenAiFiles, ListRetrieveAndDelete) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(openai.upload(chat_input(1, "s", "m", i)));
  json::object list = parse_json(openai.call("GET", "/v1/files?limit=2").body).as_object();
  EXPECT_EQ(str(list.at("object")), "list");
  ASSERT_EQ(list.at("data").as_array().size(), 2u);
  EXPECT_EQ(str(list.at("data").at(0).at("id")), ids[2]) << "newest first";
  EXPECT_TRUE(list.at("has_more").as_bool());
  json::object rest =
      parse_json(openai.call("GET", "/v1/files?limit=2&after=" + str(list.at("last_id"))).body).as_object();
  ASSERT_EQ(rest.at("data").as_array().size(), 1u);
  EXPECT_EQ(str(rest.at("data").at(0).at("id")), ids[0]);
  EXPECT_FALSE(rest.at("has_more").as_bool());

  HttpReply deleted = openai.call("DELETE", "/v1/files/" + ids[1]);
  ASSERT_EQ(deleted.status, 200u);
  EXPECT_TRUE(parse_json(deleted.body).at("deleted").as_bool());
  HttpReply missing = openai.call("GET", "/v1/files/" + ids[1]);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(str(parse_json(missing.body).at("error").at("type")), "invalid_request_error");
  EXPECT_EQ(openai.call("GET", "/v1/files/" + ids[1] + "/content").status, 404u);
}

TEST(EmulatorOpenAiBatch, CreatePollDownloadAnswersEveryRowOnceOutOfOrder) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  std::string file = openai.upload(chat_input(50));
  json::object body{{"input_file_id", file},
                    {"endpoint", "/v1/chat/completions"},
                    {"completion_window", "24h"},
                    {"metadata", json::object{{"name", "songs"}, {"run", "r1"}}}};
  HttpReply created = openai.call("POST", "/v1/batches", json::serialize(body));
  ASSERT_EQ(created.status, 200u) << created.body;
  json::object batch = parse_json(created.body).as_object();
  EXPECT_EQ(str(batch.at("status")), "validating");
  EXPECT_EQ(str(batch.at("object")), "batch");
  EXPECT_EQ(str(batch.at("id")).rfind("batch_", 0), 0u);
  for (const char* field : {"id",
                            "object",
                            "endpoint",
                            "model",
                            "errors",
                            "input_file_id",
                            "completion_window",
                            "status",
                            "output_file_id",
                            "error_file_id",
                            "created_at",
                            "in_progress_at",
                            "expires_at",
                            "finalizing_at",
                            "completed_at",
                            "failed_at",
                            "expired_at",
                            "cancelling_at",
                            "cancelled_at",
                            "request_counts",
                            "usage",
                            "metadata"}) {
    EXPECT_TRUE(batch.contains(field)) << field;
  }
  EXPECT_TRUE(batch.at("output_file_id").is_null());
  EXPECT_EQ(batch.at("expires_at").as_int64() - batch.at("created_at").as_int64(), 24 * 3600);

  json::object done = openai.wait_for_batch(str(batch.at("id")));
  ASSERT_EQ(str(done.at("status")), "completed") << json::serialize(done);
  EXPECT_EQ(done.at("metadata"), body.at("metadata"));
  EXPECT_EQ(str(done.at("model")), "gpt-4o-mini");
  EXPECT_TRUE(done.at("errors").is_null());
  EXPECT_TRUE(done.at("error_file_id").is_null()) << "no failures, no error file";
  for (const char* stamp : {"in_progress_at", "finalizing_at", "completed_at"})
    EXPECT_TRUE(done.at(stamp).is_int64()) << stamp;
  for (const char* stamp : {"failed_at", "expired_at", "cancelling_at", "cancelled_at"})
    EXPECT_TRUE(done.at(stamp).is_null()) << stamp;
  EXPECT_EQ(done.at("request_counts"), parse_json(R"({"total":50,"completed":50,"failed":0})"));

  json::object output_file =
      parse_json(openai.call("GET", "/v1/files/" + str(done.at("output_file_id"))).body).as_object();
  EXPECT_EQ(str(output_file.at("purpose")), "batch_output");
  EXPECT_EQ(str(output_file.at("filename")), str(done.at("id")) + "_output.jsonl");

  auto lines = jsonl_objects(openai.content(done.at("output_file_id")));
  ASSERT_EQ(lines.size(), 50u);
  std::vector<std::string> order;
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
  for (const auto& line : lines) {
    order.push_back(str(line.at("custom_id")));
    EXPECT_EQ(str(line.at("id")).rfind("batch_req_", 0), 0u);
    EXPECT_TRUE(line.at("error").is_null());
    const json::object& response = line.at("response").as_object();
    EXPECT_EQ(response.at("status_code").as_int64(), 200);
    EXPECT_FALSE(str(response.at("request_id")).empty());
    const json::object& completion = response.at("body").as_object();
    EXPECT_EQ(str(completion.at("object")), "chat.completion");
    EXPECT_EQ(str(completion.at("model")), "gpt-4o-mini");
    EXPECT_EQ(str(completion.at("choices").at(0).at("finish_reason")), "stop");
    json::object answer = parse_json(chat_answer(line)).as_object();
    std::string genre = str(answer.at("genre"));
    EXPECT_TRUE(genre == "rock" || genre == "pop" || genre == "jazz") << genre;
    EXPECT_GE(answer.at("year").as_int64(), 1950);
    const json::object& usage = completion.at("usage").as_object();
    EXPECT_EQ(usage.at("total_tokens").as_int64(),
              usage.at("prompt_tokens").as_int64() + usage.at("completion_tokens").as_int64());
    EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), 0)
        << "short prompts are not cached";
    prompt_tokens += usage.at("prompt_tokens").as_int64();
    completion_tokens += usage.at("completion_tokens").as_int64();
  }
  std::vector<std::string> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> expected = input_order(50);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sorted, expected) << "every row exactly once";
  EXPECT_NE(order, input_order(50)) << "output must not keep input order";
  EXPECT_EQ(done.at("usage").at("input_tokens").as_int64(), prompt_tokens);
  EXPECT_EQ(done.at("usage").at("output_tokens").as_int64(), completion_tokens);
  EXPECT_EQ(done.at("usage").at("total_tokens").as_int64(), prompt_tokens + completion_tokens);
}

TEST(EmulatorOpenAiBatch, StatusesAdvanceValidatingInProgressFinalizingCompleted) {
  EmulatorProcess emulator({.faults = "batch_ms=1200"});
  OpenAiCalls openai(emulator);
  std::string id = openai.start_batch(chat_input(20));
  std::vector<std::string> seen;
  std::set<std::int64_t> completed_counts;
  for (int i = 0; i < 300; ++i) {
    json::object batch = openai.get_batch(id);
    std::string status = str(batch.at("status"));
    if (seen.empty() || seen.back() != status) seen.push_back(status);
    if (status == "in_progress")
      completed_counts.insert(batch.at("request_counts").at("completed").as_int64());
    if (status == "completed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"validating", "in_progress", "finalizing", "completed"}));
  EXPECT_GE(completed_counts.size(), 3u) << "request_counts.completed grows while the batch runs";
}

TEST(EmulatorOpenAiBatch, BadBodiesGoToTheErrorFileAndTheRestIsAnswered) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  OpenAiCalls openai(emulator);
  std::string input = chat_input(3);
  input +=
      R"({"custom_id":"no-messages","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini"}})"
      "\n\n";  // a blank line is skipped
  json::object done = openai.wait_for_batch(openai.start_batch(input));
  ASSERT_EQ(str(done.at("status")), "completed");
  EXPECT_EQ(done.at("request_counts"), parse_json(R"({"total":4,"completed":3,"failed":1})"));
  EXPECT_EQ(jsonl_objects(openai.content(done.at("output_file_id"))).size(), 3u);
  auto errors = jsonl_objects(openai.content(done.at("error_file_id")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(str(errors[0].at("custom_id")), "no-messages");
  EXPECT_TRUE(errors[0].at("error").is_null());
  EXPECT_EQ(errors[0].at("response").at("status_code").as_int64(), 400);
  const json::object& error = errors[0].at("response").at("body").at("error").as_object();
  EXPECT_EQ(str(error.at("param")), "messages");
  EXPECT_EQ(str(error.at("type")), "invalid_request_error");
}

TEST(EmulatorOpenAiBatch, InvalidInputFilesFailTheBatchWithErrorsData) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  OpenAiCalls openai(emulator);
  std::string input = chat_input(2);         // lines 1-2 fine
  input += chat_input(1);                    // line 3: row-0 again
  input += "{not json\n";                    // line 4
  input += chat_input(1, "s", "gpt-4o", 7);  // line 5: another model
  std::string wrong_url = chat_input(1, "s", "gpt-4o-mini", 8);
  wrong_url.replace(wrong_url.find("/v1/chat/completions"), 20, "/v1/responses");
  input += wrong_url;  // line 6
  std::string wrong_method = chat_input(1, "s", "gpt-4o-mini", 9);
  wrong_method.replace(wrong_method.find("\"POST\""), 6, "\"GET\"");
  input += wrong_method;  // line 7
  json::object failed = openai.wait_for_batch(openai.start_batch(input));
  ASSERT_EQ(str(failed.at("status")), "failed") << json::serialize(failed);
  EXPECT_TRUE(failed.at("failed_at").is_int64());
  EXPECT_TRUE(failed.at("in_progress_at").is_null());
  EXPECT_TRUE(failed.at("output_file_id").is_null());
  EXPECT_EQ(str(failed.at("errors").at("object")), "list");
  std::vector<std::pair<std::string, std::int64_t>> codes;
  for (const auto& error : failed.at("errors").at("data").as_array()) {
    codes.emplace_back(str(error.at("code")), error.at("line").as_int64());
    EXPECT_TRUE(error.as_object().contains("param"));
    EXPECT_FALSE(str(error.at("message")).empty());
  }
  EXPECT_EQ(codes, (std::vector<std::pair<std::string, std::int64_t>>{{"duplicate_custom_id", 3},
                                                                      {"invalid_json_line", 4},
                                                                      {"model_mismatch", 5},
                                                                      {"url_mismatch", 6},
                                                                      {"invalid_method", 7}}));
  json::object empty = openai.wait_for_batch(openai.start_batch("\n"));
  ASSERT_EQ(str(empty.at("status")), "failed");
  EXPECT_EQ(str(empty.at("errors").at("data").at(0).at("code")), "empty_file");
  EXPECT_TRUE(empty.at("errors").at("data").at(0).at("line").is_null());
}

TEST(EmulatorOpenAiBatch, CreateChecksItsParameters) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  std::string file = openai.upload(chat_input(1));
  auto create = [&](json::object body) { return openai.call("POST", "/v1/batches", json::serialize(body)); };
  auto param_of = [](const HttpReply& reply) { return str(parse_json(reply.body).at("error").at("param")); };
  json::object good{
      {"input_file_id", file}, {"endpoint", "/v1/chat/completions"}, {"completion_window", "24h"}};

  json::object no_file = good;
  no_file.erase("input_file_id");
  HttpReply missing = create(no_file);
  EXPECT_EQ(missing.status, 400u);
  EXPECT_EQ(param_of(missing), "input_file_id");
  json::object unknown = good;
  unknown["input_file_id"] = "file-doesnotexist";
  EXPECT_EQ(create(unknown).status, 404u);
  json::object embeddings = good;
  embeddings["endpoint"] = "/v1/embeddings";
  EXPECT_EQ(param_of(create(embeddings)), "endpoint");
  json::object window = good;
  window["completion_window"] = "1h";
  EXPECT_EQ(param_of(create(window)), "completion_window");
  json::object big_metadata = good;
  json::object metadata;
  for (int i = 0; i < 17; ++i) metadata["k" + std::to_string(i)] = "v";
  big_metadata["metadata"] = metadata;
  EXPECT_EQ(param_of(create(big_metadata)), "metadata");
  HttpReply other_purpose = openai.upload_reply("x\n", "notes.txt", "user_data");
  json::object wrong_purpose = good;
  wrong_purpose["input_file_id"] = parse_json(other_purpose.body).at("id");
  EXPECT_EQ(create(wrong_purpose).status, 400u);
  EXPECT_EQ(openai.call("POST", "/v1/batches", "{oops").status, 400u);
  EXPECT_EQ(create(good).status, 200u);
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("openai").at("batch_creates").as_int64(), 1);
  EXPECT_EQ(stats.at("openai").at("batch_create_attempts").as_int64(), 8);
}

TEST(EmulatorOpenAiBatch, ListPagesNewestFirstWithAfterFirstIdLastIdAndHasMore) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  json::object empty = parse_json(openai.call("GET", "/v1/batches").body).as_object();
  EXPECT_TRUE(empty.at("data").as_array().empty());
  EXPECT_TRUE(empty.at("first_id").is_null());
  EXPECT_TRUE(empty.at("last_id").is_null());
  EXPECT_FALSE(empty.at("has_more").as_bool());

  std::string file = openai.upload(chat_input(1));
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) created.push_back(str(parse_json(openai.create_batch(file).body).at("id")));
  std::reverse(created.begin(), created.end());
  std::vector<std::string> listed;
  std::string after;
  int pages = 0;
  for (; pages < 10; ++pages) {
    HttpReply reply = openai.call("GET", "/v1/batches?limit=2" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(reply.status, 200u);
    json::object page = parse_json(reply.body).as_object();
    EXPECT_EQ(str(page.at("object")), "list");
    const auto& data = page.at("data").as_array();
    for (const auto& batch : data) listed.push_back(str(batch.at("id")));
    EXPECT_EQ(page.at("first_id"), data.front().at("id"));
    EXPECT_EQ(page.at("last_id"), data.back().at("id"));
    if (!page.at("has_more").as_bool()) break;
    after = str(data.back().at("id"));  // what the official client pages by
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(listed, created);
  EXPECT_EQ(parse_json(openai.call("GET", "/v1/batches").body).at("data").as_array().size(), 5u)
      << "default 20";
}

TEST(EmulatorOpenAiBatch, CancelKeepsThePartialOutput) {
  EmulatorProcess emulator({.faults = "batch_ms=4000"});
  OpenAiCalls openai(emulator);
  std::string id = openai.start_batch(chat_input(40));
  json::object running;
  for (int i = 0; i < 300; ++i) {
    running = openai.get_batch(id);
    if (running.at("request_counts").at("completed").as_int64() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(str(running.at("status")), "in_progress");
  HttpReply cancel = openai.call("POST", "/v1/batches/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 200u) << cancel.body;
  json::object cancelling = parse_json(cancel.body).as_object();
  EXPECT_EQ(str(cancelling.at("status")), "cancelling");
  EXPECT_TRUE(cancelling.at("cancelling_at").is_int64());
  EXPECT_EQ(openai.call("POST", "/v1/batches/" + id + "/cancel").status, 200u)
      << "a second cancel is harmless";

  json::object cancelled = openai.wait_for_batch(id);
  ASSERT_EQ(str(cancelled.at("status")), "cancelled");
  EXPECT_TRUE(cancelled.at("cancelled_at").is_int64());
  std::int64_t completed = cancelled.at("request_counts").at("completed").as_int64();
  EXPECT_GE(completed, 2);
  EXPECT_LT(completed, 40);
  EXPECT_EQ(cancelled.at("request_counts").at("total").as_int64(), 40);
  auto lines = jsonl_objects(openai.content(cancelled.at("output_file_id")));
  EXPECT_EQ(static_cast<std::int64_t>(lines.size()), completed) << "partial results are in the output file";
  EXPECT_TRUE(cancelled.at("error_file_id").is_null());

  HttpReply again = openai.call("POST", "/v1/batches/" + id + "/cancel");
  EXPECT_EQ(again.status, 400u) << "a cancelled batch cannot be cancelled";
  EXPECT_EQ(openai.call("POST", "/v1/batches/batch_nope/cancel").status, 404u);
}

TEST(EmulatorOpenAiBatch, ResponsesEndpointBatchesAnswerResponseObjects) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  OpenAiCalls openai(emulator);
  std::string input;
  for (int i = 0; i < 6; ++i) {
    json::object body{
        {"model", "gpt-5-mini"},
        {"instructions", "Classify the song."},
        {"input", "Title: Song " + std::to_string(i)},
        {"text", json::object{{"format", parse_json(R"({"type":"json_schema","name":"song","strict":true,
            "schema":{"type":"object","properties":{"mood":{"type":"string","enum":["calm","happy"]}},
            "required":["mood"],"additionalProperties":false}})")}}}};
    input += json::serialize(json::object{{"custom_id", "r" + std::to_string(i)},
                                          {"method", "POST"},
                                          {"url", "/v1/responses"},
                                          {"body", body}}) +
             "\n";
  }
  json::object done = openai.wait_for_batch(openai.start_batch(input, "responses", "/v1/responses"));
  ASSERT_EQ(str(done.at("status")), "completed") << json::serialize(done);
  EXPECT_EQ(str(done.at("endpoint")), "/v1/responses");
  auto lines = jsonl_objects(openai.content(done.at("output_file_id")));
  ASSERT_EQ(lines.size(), 6u);
  for (const auto& line : lines) {
    const json::object& response = line.at("response").at("body").as_object();
    EXPECT_EQ(str(response.at("object")), "response");
    EXPECT_EQ(str(response.at("status")), "completed");
    const json::object& usage = response.at("usage").as_object();
    EXPECT_EQ(usage.at("total_tokens").as_int64(),
              usage.at("input_tokens").as_int64() + usage.at("output_tokens").as_int64());
    EXPECT_TRUE(usage.at("input_tokens_details").as_object().contains("cached_tokens"));
    std::string text = str(response.at("output").at(0).at("content").at(0).at("text"));
    std::string mood = str(parse_json(text).at("mood"));
    EXPECT_TRUE(mood == "calm" || mood == "happy") << text;
  }
}

}  // namespace
}  // namespace pipehost::test
