// Fault matrix: every emulator fault alone, two storms, and all of them together, each through a whole
// `pipehost run` (csv-io → prompt-template → gemini-batch over verified TLS → markdown-json-parser →
// csv-io, with braintrust-log and jsonl-log where BrainTrust is faulted). For each:
//   - the run ends before its deadline, with exit code 0 (every row ok) or 1 (some failed);
//   - every input row is in the output once, in order, `ok` or `failed`; every failed row has a reason
//     in `_error`, is in failures.csv with that reason, and the summary counts agree;
//   - every ok row equals the same row of a fault-free run (faults never corrupt an answer);
//   - no batch was created twice, and the fault really happened (emulator accounting);
//   - with BrainTrust faulted: every logged call reached BrainTrust or the failed-events file.
#include <fstream>
#include <set>

#include <boost/json.hpp>

#include "pipeline_fixture.hpp"
#include "reliability_support.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

constexpr auto kDeadline = std::chrono::seconds(120);
constexpr const char* kBraintrustKey = "fault-matrix-braintrust-key-77c1";

enum class Expect { ok_or_failed, all_ok, all_failed };

struct FaultCase {
  const char* name;
  const char* spec;
  Expect expect = Expect::ok_or_failed;
  bool braintrust = false;
  int rows = 240;
};

std::ostream& operator<<(std::ostream& out, const FaultCase& c) {
  return out << c.name << " (" << c.spec << ")";
}

// Batch-level probabilities are high enough that, over the run's batches (12 of 20 rows, plus retries),
// each fault all but surely happens; the test checks that it did.
const FaultCase kCases[] = {
    {"create_429_storm", "create_429=5,retry_delay_s=0", Expect::all_ok},
    {"http_5xx_bursts", "http_5xx=0.15"},
    {"drop_upload", "drop_upload=3"},
    {"drop_download", "drop_download=3", Expect::all_ok},
    {"truncate_download", "truncate_download=3", Expect::all_ok},
    {"batch_fail", "batch_fail=0.4"},
    {"batch_fail_storm", "batch_fail=1", Expect::all_failed},
    {"batch_expire", "batch_expire=0.4"},
    {"prose", "prose=0.2"},
    {"fenced", "fenced=0.5", Expect::all_ok},
    {"line_error", "line_error=0.1"},
    {"bt_5xx", "bt_5xx=0.3", Expect::all_ok, true},
    {"everything_at_once",
     "create_429=2,retry_delay_s=0,http_5xx=0.05,drop_upload=2,drop_download=2,truncate_download=2,batch_"
     "fail=0.25,"
     "batch_expire=0.3,prose=0.1,fenced=0.3,line_error=0.05,bt_5xx=0.3",
     Expect::ok_or_failed, true, 480},
};

/// The fault names of a SPEC (its switches that are not settings).
std::vector<std::string> fault_names(const std::string& spec) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start < spec.size()) {
    auto comma = spec.find(',', start);
    auto item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto name = item.substr(0, item.find('='));
    if (name != "retry_delay_s" && name != "batch_ms") names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

/// Distinct event ids in a JSON Lines file of log events (none when it does not exist).
std::set<std::string> event_ids(const std::filesystem::path& file) {
  std::set<std::string> ids;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) ids.insert(std::string(json::parse(line).at("id").as_string()));
  return ids;
}

class FaultMatrixTest : public PipelineTest, public ::testing::WithParamInterface<FaultCase> {
 protected:
  ProcessResult run_with_deadline(const std::string& state, const std::vector<std::string>& args = {}) {
    ProcessOptions options;
    options.env = env_;
    options.env["GEMINI_API_KEY"] = kGeminiKey;
    options.timeout = kDeadline;
    std::vector<std::string> run_args = {"run"};
    run_args.insert(run_args.end(), args.begin(), args.end());
    return run_process(command(run_args, state), options);
  }
};

TEST_P(FaultMatrixTest, EveryRowEndsOkOrFailedWithAReason) {
  const FaultCase& fault = GetParam();
  emulator_options_.braintrust_key = kBraintrustKey;
  env_["BRAINTRUST_API_KEY"] = kBraintrustKey;
  // The loggers' URLs need the emulator, which start() creates: write the config again after it.
  const int rows = fault.rows;
  const std::string provider = R"(, "batch_size": 20, "max_jobs_in_flight": 4)";
  start(rows, fault.spec, provider);
  if (fault.braintrust) {
    loggers_json_ = R"({"plugin": "braintrust-log", "project": "Fault Matrix", "api_url": ")" +
                    emulator_->base_url() + R"(", "ca_file": ")" + emulator_->ca_file() +
                    R"(", "batch_size": 10, "flush_interval_ms": 100, "retry_initial_ms": 50,
                        "retry_max_ms": 200, "max_retry_s": 2},
                       {"plugin": "jsonl-log", "path": "calls.jsonl"})";
    write_config(provider, "");
  }

  auto run = run_with_deadline("state");
  ASSERT_FALSE(run.timed_out) << "no result within the deadline:\n" << run.err;
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << "exit " << run.exit_code << ":\n" << run.err;

  // Every row once, in order, ok or failed; failed rows carry their reason everywhere.
  const auto ok = expect_complete_output();
  auto output = read_csv(output_path());
  std::map<std::string, std::string> failed;  // key (row number) -> reason
  for (std::size_t i = 0; i < output.rows.size(); ++i) {
    if (output.at(i, "_status") != "failed") continue;
    EXPECT_FALSE(output.at(i, "_error").empty()) << "row " << i + 1 << " failed without a reason";
    failed[std::to_string(i + 1)] = output.at(i, "_error");
  }
  EXPECT_EQ(ok + failed.size(), output.rows.size());
  EXPECT_EQ(run.exit_code, failed.empty() ? 0 : 1) << run.err;
  auto failures_file = dir_.path() / "state" / "failures.csv";
  if (failed.empty()) {
    EXPECT_FALSE(std::filesystem::exists(failures_file));
  } else {
    auto failures = read_csv(failures_file.string());
    ASSERT_EQ(failures.rows.size(), failed.size());
    for (std::size_t i = 0; i < failures.rows.size(); ++i) {
      EXPECT_EQ(failures.at(i, "reason"), failed[failures.at(i, "key")]) << "failures.csv row " << i + 1;
      EXPECT_FALSE(failures.at(i, "attempts").empty());
    }
  }
  auto summary = json::parse(read_file(dir_.path() / "state" / "summary.json")).as_object();
  EXPECT_EQ(summary.at("rows").at("ok").as_int64(), static_cast<std::int64_t>(ok));
  EXPECT_EQ(summary.at("rows").at("failed").as_int64(), static_cast<std::int64_t>(failed.size()));
  EXPECT_EQ(summary.at("rows").at("pending").as_int64(), 0);

  switch (fault.expect) {
    case Expect::all_ok:
      EXPECT_EQ(ok, static_cast<std::size_t>(rows)) << "these faults are all absorbed";
      break;
    case Expect::all_failed:
      EXPECT_EQ(failed.size(), static_cast<std::size_t>(rows));
      for (const auto& [key, reason] : failed)
        EXPECT_NE(reason.find("ended failed"), std::string::npos) << reason;
      break;
    case Expect::ok_or_failed:
      break;
  }

  auto s = stats();
  for (const auto& name : fault_names(fault.spec)) {
    auto* injected = s.at("faults_injected").as_object().if_contains(name);
    EXPECT_TRUE(injected && injected->as_int64() > 0) << name << " never happened: the case tests nothing\n"
                                                      << json::serialize(s);
  }
  expect_no_double_creates();

  if (fault.braintrust) {
    // Every call logged (jsonl-log has them all) reached BrainTrust or was set aside for the next run.
    auto logged = event_ids(dir_.path() / "calls.jsonl");
    auto set_aside = event_ids(dir_.path() / "state" / "braintrust-failed.jsonl");
    EXPECT_FALSE(logged.empty());
    EXPECT_GE(s.at("braintrust_events").as_int64() + static_cast<std::int64_t>(set_aside.size()),
              static_cast<std::int64_t>(logged.size()))
        << "events were lost";
  }

  // Ok rows are exactly what a fault-free run gives.
  emulator_->set_faults("");
  auto reference = run_with_deadline("reference", {"--set", "provider.batch_size=1000"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  auto expected = read_csv(output_path("reference"));
  ASSERT_EQ(expected.rows.size(), output.rows.size());
  for (std::size_t i = 0; i < output.rows.size(); ++i) {
    if (output.at(i, "_status") != "ok") continue;
    EXPECT_EQ(output.rows[i].values, expected.rows[i].values)
        << "row " << i + 1 << " differs from a fault-free run";
  }
}

INSTANTIATE_TEST_SUITE_P(EachFaultAndAll, FaultMatrixTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pipehost::test
