// Conformance with the official Node clients: @google/genai (upload → batch → poll → download,
// plus generateContent, grounded with Google Search and implicitly cached), braintrust (initLogger → log →
// flush, rows read back via fetch) and openai 6.x (streamed upload → batch → poll → list → output/error
// files, cancel, online calls) and
// @anthropic-ai/sdk (Message Batches create → poll → list → results, cancel, delete, messages.create,
// AuthenticationError).
// The packages are installed once with npm into build/node-conformance (reused afterwards).
// Skips only when node or npm is missing.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "gemini_client.hpp"
#include "npm_packages.hpp"
#include "required_tools.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

namespace fs = std::filesystem;

const fs::path kInstallDir = fs::path(PIPEHOST_BINARY_DIR) / "node-conformance";

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> chunk{};
  while (std::size_t got = fread(chunk.data(), 1, chunk.size(), pipe))
    result.output.append(chunk.data(), got);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

/// Installs the official clients once into the build tree. Returns an error message, empty on success.
std::string ensure_clients_installed() {
  return ensure_npm_packages(
      kInstallDir,
      R"({"name":"pipehost-emulator-conformance","private":true,"type":"module",)"
      R"("dependencies":{"@google/genai":"^3.3.0","braintrust":"^3.0.0","openai":"^6.49.0",)"
      // openai 7.x and later need Node 22; @anthropic-ai/sdk 1.x declares no engines constraint.
      R"("@anthropic-ai/sdk":"^1.10.0"}})",
      {"@google/genai", "braintrust", "openai", "@anthropic-ai/sdk"});
}

/// Copies the script next to node_modules (ESM resolves packages from the script's folder) and
/// runs it with the emulator's CA and fake keys in its environment.
CommandResult run_script(const EmulatorProcess& emulator, const std::string& script,
                         const std::string& args) {
  fs::copy_file(fs::path(PIPEHOST_SOURCE_DIR) / "tests/emulator/node" / script, kInstallDir / script,
                fs::copy_options::overwrite_existing);
  std::string command = "cd " + quoted(kInstallDir.string()) +
                        " && NODE_EXTRA_CA_CERTS=" + quoted(emulator.ca_file()) +
                        " GEMINI_API_KEY=" + quoted(emulator.options().gemini_key) +
                        " BRAINTRUST_API_KEY=" + quoted(emulator.options().braintrust_key) +
                        " OPENAI_API_KEY=" + quoted(emulator.options().openai_key) +
                        " ANTHROPIC_API_KEY=" + quoted(emulator.options().anthropic_key) +
                        " timeout 120 node " + script + " " + args;
  return run(command);
}

class NodeConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("node") || !on_path("npm")) {
      PIPEHOST_SKIP_WITHOUT_TOOL(
          "node and npm are needed for the official-client conformance tests (scripts/deps.sh installs "
          "them)");
    }
    std::string error = ensure_clients_installed();
    ASSERT_TRUE(error.empty()) << error;
  }
};

TEST_F(NodeConformance, GoogleGenaiClientRunsAWholeBatch) {
  EmulatorProcess emulator;
  TempDir work;
  CommandResult result = run_script(emulator, "gemini_batch_roundtrip.mjs",
                                    quoted(emulator.base_url()) + " " + quoted(work.path().string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("OK 25 keys"), std::string::npos) << result.output;
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("batch_creates_by_display_name").at("conformance-batch").as_int64(), 1);
  EXPECT_EQ(stats.at("key_in_query").as_int64(), 0) << "the official client sends the key in a header";
  EXPECT_EQ(stats.at("generate_content_calls").as_int64(), 4);
  EXPECT_EQ(stats.at("gemini").at("grounded_requests").as_int64(), 1);
  std::size_t cached_at = result.output.find("cached ");
  ASSERT_NE(cached_at, std::string::npos) << result.output;
  EXPECT_EQ(stats.at("gemini").at("cached_content_tokens").as_int64(),
            std::stoll(result.output.substr(cached_at + 7)))
      << "only the second long-prefix call hit the cache";
}

TEST_F(NodeConformance, BraintrustClientLogsAndRowsReadBack) {
  EmulatorProcess emulator;
  CommandResult result = run_script(emulator, "braintrust_log_roundtrip.mjs", quoted(emulator.base_url()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("OK 3 rows"), std::string::npos) << result.output;
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("braintrust_events").as_int64(), 3);
  EXPECT_GE(stats.at("braintrust_logs3_calls").as_int64(), 1);
}

TEST_F(NodeConformance, OpenAiClientRunsWholeBatches) {
  EmulatorProcess emulator({.faults = "batch_ms=1000"});  // time for the cancel to find the batch running
  TempDir work;
  CommandResult result = run_script(emulator, "openai_batch_roundtrip.mjs",
                                    quoted(emulator.base_url()) + " " + quoted(work.path().string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("OK 25 rows"), std::string::npos) << result.output;
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("openai").at("batch_creates_by_name"),
            parse_json(R"({"conformance-openai":1,"conformance-cancel":1})"));
  EXPECT_EQ(stats.at("openai").at("online_answers").as_int64(), 2);
  EXPECT_EQ(stats.at("requests_by_route").at("openai POST /v1/files").as_int64(), 1)
      << "the streamed upload was accepted at the first attempt";
  EXPECT_EQ(stats.at("key_in_query").as_int64(), 0);
  EXPECT_EQ(stats.at("auth_failures").as_int64(), 1) << "only the deliberate wrong key";
}

TEST_F(NodeConformance, AnthropicClientRunsMessageBatches) {
  EmulatorProcess emulator;
  CommandResult result = run_script(emulator, "anthropic_batch_roundtrip.mjs", quoted(emulator.base_url()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("OK 20 results"), std::string::npos) << result.output;
  json::value stats = parse_json(emulator.stats_json());
  const json::object& anthropic = stats.at("anthropic").as_object();
  EXPECT_EQ(anthropic.at("batch_creates").as_int64(), 2);
  EXPECT_EQ(anthropic.at("answered_more_than_once").as_int64(), 0);
  EXPECT_GT(anthropic.at("cache_write_tokens").as_int64(), 1024);
  EXPECT_EQ(anthropic.at("cache_read_tokens").as_int64(), 20 * anthropic.at("cache_write_tokens").as_int64())
      << "19 batch rows and the online call read the prefix the first row wrote";
  EXPECT_EQ(stats.at("auth_failures").as_int64(), 1);
}

}  // namespace
}  // namespace pipehost::test
