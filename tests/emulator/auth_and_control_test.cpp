// Auth error shapes for both APIs, key-in-query accounting, the any-key mode, stats and control
// routes, and the command line contract.
#include <array>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "gemini_client.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

TEST(EmulatorAuth, GeminiMissingKeyIs403AndWrongKeyIs400ApiKeyInvalid) {
  EmulatorProcess emulator;
  HttpReply missing = emulator.request("GET", "/v1beta/files");
  EXPECT_EQ(missing.status, 403u);
  EXPECT_EQ(str(parse_json(missing.body).at("error").at("status")), "PERMISSION_DENIED");
  GeminiCalls wrong(emulator, "not-the-key");
  HttpReply invalid = wrong.call("GET", "/v1beta/files");
  EXPECT_EQ(invalid.status, 400u);
  json::object error = parse_json(invalid.body).at("error").as_object();
  EXPECT_EQ(str(error.at("status")), "INVALID_ARGUMENT");
  EXPECT_EQ(str(error.at("details").at(0).at("reason")), "API_KEY_INVALID");
  EXPECT_EQ(invalid.body.find("not-the-key"), std::string::npos) << "never echo the key";
  EXPECT_EQ(parse_json(emulator.stats_json()).at("auth_failures").as_int64(), 2);
}

TEST(EmulatorAuth, KeyInQueryIsAcceptedButCounted) {
  EmulatorProcess emulator;
  HttpReply reply = emulator.request("GET", "/v1beta/files?key=test-gemini-key");
  EXPECT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(parse_json(emulator.stats_json()).at("key_in_query").as_int64(), 1);
}

TEST(EmulatorAuth, BraintrustNeedsTheBearerKey) {
  EmulatorProcess emulator;
  EXPECT_EQ(emulator.request("GET", "/version").status, 401u);
  EXPECT_EQ(emulator.request("GET", "/version", "", {{"Authorization", "Bearer wrong"}}).status, 401u);
  EXPECT_EQ(emulator.request("GET", "/version", "", {{"Authorization", "Basic test-braintrust-key"}}).status,
            401u);
  EXPECT_EQ(emulator.request("GET", "/version", "", {{"Authorization", "Bearer test-braintrust-key"}}).status,
            200u);
}

TEST(EmulatorAuth, KeyOptionsWinOverTheEnvironment) {
  EmulatorOptions flags;  // the environment keys stay set: the options must win
  flags.extra_args = {"--gemini-key", "flag-gemini", "--braintrust-key", "flag-braintrust",
                      "--openai-key", "flag-openai", "--anthropic-key",  "flag-anthropic"};
  EmulatorProcess emulator(flags);
  EXPECT_EQ(GeminiCalls(emulator, "flag-gemini").call("GET", "/v1beta/files").status, 200u);
  EXPECT_EQ(GeminiCalls(emulator, "test-gemini-key").call("GET", "/v1beta/files").status, 400u);
  auto bearer = [](const std::string& key) { return HttpHeaders{{"Authorization", "Bearer " + key}}; };
  EXPECT_EQ(emulator.request("GET", "/version", "", bearer("flag-braintrust")).status, 200u);
  EXPECT_EQ(emulator.request("GET", "/version", "", bearer("test-braintrust-key")).status, 401u);
  EXPECT_EQ(emulator.request("GET", "/v1/batches", "", bearer("flag-openai")).status, 200u);
  EXPECT_EQ(emulator.request("GET", "/v1/batches", "", bearer("test-openai-key")).status, 401u);
  HttpHeaders anthropic = {{"x-api-key", "flag-anthropic"}, {"anthropic-version", "2023-06-01"}};
  EXPECT_EQ(emulator.request("GET", "/v1/messages/batches", "", anthropic).status, 200u);
  anthropic[0].second = "test-anthropic-key";
  EXPECT_EQ(emulator.request("GET", "/v1/messages/batches", "", anthropic).status, 401u);
}

TEST(EmulatorAuth, WithoutConfiguredKeysAnyNonEmptyKeyIsAccepted) {
  EmulatorOptions any_key;
  any_key.gemini_key.clear();
  any_key.braintrust_key.clear();
  EmulatorProcess emulator(any_key);
  EXPECT_EQ(GeminiCalls(emulator, "anything").call("GET", "/v1beta/files").status, 200u);
  EXPECT_EQ(emulator.request("GET", "/v1beta/files").status, 403u);
  EXPECT_EQ(emulator.request("GET", "/version", "", {{"Authorization", "Bearer whatever"}}).status, 200u);
}

TEST(EmulatorControl, StatsCountRoutesAndResetStatsClearsThem) {
  EmulatorOptions plain;
  plain.tls = false;
  EmulatorProcess emulator(plain);
  EXPECT_TRUE(emulator.ca_file().empty());
  EXPECT_EQ(emulator.base_url().rfind("http://127.0.0.1:", 0), 0u);
  GeminiCalls gemini(emulator);
  gemini.call("GET", "/v1beta/batches");
  gemini.call("GET", "/v1beta/batches");
  gemini.call("GET", "/v1/batches/abc");
  json::object stats = parse_json(emulator.stats_json()).as_object();
  for (const char* field :
       {"batch_creates_by_display_name", "requests_by_route", "uploaded_bytes", "key_in_query",
        "braintrust_events", "batches_by_state", "faults_injected", "downloads"}) {
    EXPECT_TRUE(stats.contains(field)) << field;
  }
  EXPECT_EQ(stats.at("requests_by_route").at("GET /v1beta/batches").as_int64(), 2);
  EXPECT_EQ(stats.at("requests_by_route").at("GET /v1/batches/{id}").as_int64(), 1);
  EXPECT_FALSE(stats.at("requests_by_route").as_object().contains("GET /_emulator/stats"));
  EXPECT_EQ(emulator.request("POST", "/_emulator/reset-stats").status, 200u);
  stats = parse_json(emulator.stats_json()).as_object();
  EXPECT_TRUE(stats.at("requests_by_route").as_object().empty());
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run_emulator_command(const std::string& arguments) {
  std::string command = std::string(PIPEHOST_BIN_DIR) + "/pipehost-emulator " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> chunk{};
  while (std::size_t got = fread(chunk.data(), 1, chunk.size(), pipe))
    result.output.append(chunk.data(), got);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(EmulatorCommandLine, UnknownFaultNameExitsWithCode2AndSaysWhy) {
  CommandResult result = run_emulator_command("--port 0 --faults create_429=1,bogus=2");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("unknown fault 'bogus'"), std::string::npos) << result.output;
}

TEST(EmulatorCommandLine, BadOptionsExitWithCode2AndHelpWith0) {
  EXPECT_EQ(run_emulator_command("--no-such-option").exit_code, 2);
  CommandResult help = run_emulator_command("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--faults"), std::string::npos);
}

TEST(EmulatorCommandLine, KeepsStateDirAndCertificateWhenAsked) {
  EmulatorProcess emulator;
  EXPECT_EQ(emulator.ca_file(), emulator.state_dir() + "/tls/ca.pem");
  std::string pem = read_file(emulator.ca_file());
  EXPECT_NE(pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(pem.find("PRIVATE KEY"), std::string::npos) << "ca_file holds the certificate only";
}

TEST(EmulatorCommandLine, SigtermStopsCleanlyWithExitCode0) {
  EmulatorProcess emulator;
  GeminiCalls(emulator).call("GET", "/v1beta/files");
  EXPECT_EQ(emulator.stop(), 0);
}

/// True while `pid` runs (not gone, not a zombie waiting for a reaper).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(EmulatorCommandLine, ExitWithParentStopsWhenItsStarterDies) {
  int pid_pipe[2];
  ASSERT_EQ(::pipe(pid_pipe), 0);
  pid_t starter = ::fork();
  ASSERT_GE(starter, 0);
  if (starter == 0) {  // starts an emulator (with --exit-with-parent), then dies without stopping it
    auto* emulator = new EmulatorProcess();
    pid_t pid = emulator->pid();
    (void)!::write(pid_pipe[1], &pid, sizeof pid);
    ::_exit(0);
  }
  pid_t emulator = -1;
  ASSERT_EQ(::read(pid_pipe[0], &emulator, sizeof emulator), static_cast<ssize_t>(sizeof emulator));
  ::close(pid_pipe[0]);
  ::close(pid_pipe[1]);
  ::waitpid(starter, nullptr, 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (running(emulator) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(running(emulator)) << "the emulator outlived the process that started it";
  if (running(emulator)) ::kill(emulator, SIGKILL);
}

}  // namespace
}  // namespace pipehost::test
