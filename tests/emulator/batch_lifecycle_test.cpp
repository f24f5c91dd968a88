// Files upload → batch create → poll → download, through real HTTPS against the emulator binary.
#include <set>

#include "gemini_client.hpp"

namespace pipehost::test {
namespace {

TEST(EmulatorBatchLifecycle, UploadCreatePollDownloadReturnsEveryKeyOnce) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string file = gemini.upload(songs_input(50));
  HttpReply created = gemini.create_batch(file, "songs-1");
  ASSERT_EQ(created.status, 200u) << created.body;
  json::object operation = parse_json(created.body).as_object();
  EXPECT_EQ(str(operation.at("metadata").at("state")), "BATCH_STATE_PENDING");

  json::object done = gemini.wait_for_batch(std::string(operation.at("name").as_string()));
  ASSERT_EQ(str(done.at("metadata").at("state")), "BATCH_STATE_SUCCEEDED") << json::serialize(done);
  std::string output = std::string(done.at("metadata").at("output").at("responsesFile").as_string());
  EXPECT_EQ(str(done.at("response").at("responsesFile")), output);
  EXPECT_EQ(str(done.at("metadata").at("batchStats").at("requestCount")), "50");

  HttpReply download = gemini.call("GET", "/download/v1beta/" + output + ":download?alt=media");
  ASSERT_EQ(download.status, 200u);
  std::set<std::string> keys;
  std::vector<std::string> order;
  std::size_t start = 0;
  while (start < download.body.size()) {
    std::size_t end = download.body.find('\n', start);
    json::object line = parse_json(download.body.substr(start, end - start)).as_object();
    std::string key(line.at("key").as_string());
    EXPECT_TRUE(keys.insert(key).second) << "duplicate key " << key;
    order.push_back(key);
    std::string text(
        line.at("response").at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());
    json::object answer = parse_json(text).as_object();
    EXPECT_TRUE(answer.contains("genre"));
    start = end + 1;
  }
  EXPECT_EQ(keys.size(), 50u);
  std::vector<std::string> input_order;
  for (int i = 0; i < 50; ++i) input_order.push_back("k" + std::to_string(i));
  EXPECT_NE(order, input_order) << "output must not keep input order";
}

}  // namespace
}  // namespace pipehost::test
