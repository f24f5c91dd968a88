// Ordinary commands and ordinary edits never drop a paid answer, never pay twice for a row, and never
// put an answer next to a row it was not made for: dry runs, cancel after jobs finished, --limit after
// a crash, --retry-failed, edited inputs, prompt changes while jobs are in flight, parser changes.
// Everything goes through the real pipeline against the emulator.
#include <fstream>
#include <set>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include <boost/json.hpp>

#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

class LedgerHonestyTest : public PipelineTest {
 protected:
  std::string status_json() {
    auto r = pipehost({"status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  bool wait_for(const std::function<bool()>& condition,
                std::chrono::seconds timeout = std::chrono::seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::int64_t batches_created() { return stats().at("batches_created").as_int64(); }
  std::int64_t batches_in(const char* state) {
    auto emulated = stats();  // (kept: the pointer below points into it)
    auto* n = emulated.at("batches_by_state").as_object().if_contains(state);
    return n ? n->as_int64() : 0;
  }
  /// Starts a run, waits until the emulator created `batches`, then kills it with SIGKILL.
  void kill_run_after(std::int64_t batches, const std::vector<std::string>& args = {}) {
    pid_t pid = spawn_run("state", "", args);
    ASSERT_TRUE(wait_for([&] { return batches_created() >= batches; }));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  /// How many times each row key was sent to the emulator, over every batch.
  std::map<std::string, int> sends_by_key() {
    std::map<std::string, int> sends;
    for (const auto& [name, keys] : keys_by_batch())
      for (const auto& key : keys) ++sends[key];
    return sends;
  }
  std::string write_schema(const std::string& name, const std::function<void(json::object&)>& edit) {
    auto schema =
        json::parse(read_file(std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/schema.json")).as_object();
    edit(schema);
    auto path = dir_.file(name);
    write_file(path, json::serialize(schema));
    return path;
  }
};

TEST_F(LedgerHonestyTest, DryRunChangesNothingWhateverTheFlags) {
  start(120, "");
  auto fresh = pipehost({"run", "--dry-run"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("state")))
      << "a dry run on a new job leaves no state behind";

  ASSERT_EQ(pipehost({"run", "--limit", "50"}).exit_code, 0);
  auto status_before = status_json();
  auto output_before = read_file(output_path());

  std::string prompt = read_file(std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/prompt.md");
  write_file(dir_.file("prompt-v2.md"), prompt + "\nAnswer tersely.\n");
  write_config("", "", dir_.file("prompt-v2.md"));
  for (auto flags : std::vector<std::vector<std::string>>{
           {"--rerun-changed"}, {"--accept-changed"}, {"--rerun-changed", "--retry-failed"}}) {
    flags.insert(flags.begin(), {"run", "--dry-run"});
    auto dry = pipehost(flags);
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_NE(dry.out.find("nothing was sent"), std::string::npos) << dry.out;
    EXPECT_EQ(status_json(), status_before) << "after " << flags[2];
  }
  EXPECT_NE(pipehost({"run", "--dry-run", "--rerun-changed"}).out.find("dry run: 120 requests"),
            std::string::npos)
      << "the estimate counts the rows a real --rerun-changed would redo";

  write_config("", "");
  auto exported = pipehost({"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(read_file(output_path()), output_before);
  EXPECT_EQ(batches_created(), 1) << "no dry run sent anything";
}

TEST_F(LedgerHonestyTest, CancelCollectsJobsThatAlreadyFinished) {
  start(400, "batch_ms=1500", R"(, "batch_size": 200)");
  kill_run_after(2);
  ASSERT_TRUE(wait_for([&] { return batches_in("BATCH_STATE_SUCCEEDED") == 2; }));

  auto cancelled = pipehost({"cancel"});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_NE(cancelled.out.find("cancelled 0 running job(s) at the provider; 2 had already finished"),
            std::string::npos)
      << cancelled.out;
  EXPECT_NE(cancelled.out.find("400 answers kept; 0 rows go back to pending"), std::string::npos)
      << cancelled.out;
  EXPECT_EQ(json::parse(status_json()).at("rows").at("done").as_int64(), 400);

  auto rerun = pipehost({"run"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(expect_complete_output(), 400u);
  EXPECT_EQ(batches_created(), 2) << "finished jobs are never sent again";
}

TEST_F(LedgerHonestyTest, LimitAfterACrashSendsNewRowsAndSaysWhatItRecovered) {
  start(600, "batch_ms=1500", R"(, "batch_size": 100)");
  kill_run_after(1, {"--limit", "100"});
  log_level_ = "info";
  auto resumed = pipehost({"run", "--limit", "100"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find(
                "recovering 1 job(s) with 100 rows from an earlier run; they do not count against --limit"),
            std::string::npos)
      << resumed.err;
  EXPECT_NE(resumed.out.find("rows: 600 total, 200 ok, 0 failed, 400 pending"), std::string::npos)
      << resumed.out;
  EXPECT_EQ(batches_created(), 2);
  for (const auto& [key, n] : sends_by_key()) EXPECT_EQ(n, 1) << "row " << key;
}

TEST_F(LedgerHonestyTest, RetryFailedGivesFailedRowsAFreshBudget) {
  start(40, "prose=1", "", R"(, "max_attempts": 2)");
  auto failed = pipehost({"run"});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_EQ(json::parse(status_json()).at("rows").at("failed").as_int64(), 40);
  emulator_->set_faults("prose=0");
  auto again = pipehost({"run"});
  EXPECT_EQ(again.exit_code, 1) << "rows out of attempts are not sent without being asked";
  EXPECT_EQ(batches_created(), 2);

  auto retried = pipehost({"run", "--retry-failed"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(expect_complete_output(), 40u);
  EXPECT_EQ(batches_created(), 3);
}

TEST_F(LedgerHonestyTest, AnEditedInputRowIsRefusedThenRedoneOrKept) {
  start(60, "");
  ASSERT_EQ(pipehost({"run", "--limit", "30"}).exit_code, 0);
  auto original = read_csv(output_path());
  // Edit row 7 (a done row) and row 40 (not sent yet).
  auto csv = read_file(dir_.file("songs.csv"));
  for (const char* song : {"Song number 7\"", "Song number 40\""}) {
    auto at = csv.find(song);
    ASSERT_NE(at, std::string::npos);
    csv.replace(at, std::string(song).size() - 1,
                std::string(song).substr(0, std::string(song).size() - 1) + " (live)");
  }
  write_file(dir_.file("songs.csv"), csv);

  for (const char* command : {"run", "export"}) {
    auto refused = pipehost({command});
    EXPECT_EQ(refused.exit_code, 2) << command << ": " << refused.err;
    EXPECT_NE(refused.err.find("1 rows changed in the input since they were sent to the model (first: 7)"),
              std::string::npos)
        << command << ": " << refused.err;
  }
  EXPECT_EQ(batches_created(), 1);

  auto kept = pipehost({"export", "--accept-changed"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(read_csv(output_path()).at(6, "primary_genre"), original.at(6, "primary_genre"));

  // Edit it again; this time redo it.
  csv = read_file(dir_.file("songs.csv"));
  csv.replace(csv.find("Song number 7 (live)"), 20, "Song number 7 (demo)");
  write_file(dir_.file("songs.csv"), csv);
  auto redone = pipehost({"run", "--rerun-changed"});
  ASSERT_EQ(redone.exit_code, 0) << redone.err;
  EXPECT_EQ(expect_complete_output(), 60u);
  EXPECT_EQ(sends_by_key()["7"], 2) << "the edited row was answered again";
  EXPECT_EQ(sends_by_key()["8"], 1);
}

TEST_F(LedgerHonestyTest, AnInsertedRowShiftsRowNumberKeysAndIsCaught) {
  start(20, "");
  ASSERT_EQ(pipehost({"run"}).exit_code, 0);
  auto csv = read_file(dir_.file("songs.csv"));
  auto first_row = csv.find('\n') + 1;
  csv.insert(first_row, "\"New Artist\",\"A brand new song\",TRUE,\"Ann\",1\n");
  write_file(dir_.file("songs.csv"), csv);
  auto refused = pipehost({"run"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("20 rows changed in the input"), std::string::npos) << refused.err;
  auto redone = pipehost({"run", "--rerun-changed"});
  ASSERT_EQ(redone.exit_code, 0) << redone.err;
  EXPECT_EQ(expect_complete_output(), 21u);
}

TEST_F(LedgerHonestyTest, ADeletedRowOrTwoSwappedRowsAreCaughtToo) {
  start(20, "");
  ASSERT_EQ(pipehost({"run"}).exit_code, 0);
  auto csv = read_file(dir_.file("songs.csv"));
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = csv.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(csv.substr(start, end - start + 1));
  ASSERT_EQ(lines.size(), 21u) << "a header and 20 rows, one line each";
  auto write_lines = [&](const std::vector<std::string>& rows) {
    std::string text;
    for (const auto& line : rows) text += line;
    write_file(dir_.file("songs.csv"), text);
  };

  auto swapped = lines;
  std::swap(swapped[3], swapped[4]);  // rows 3 and 4 trade places: their row-number keys now name the other
  write_lines(swapped);
  auto refused = pipehost({"run"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("2 rows changed in the input"), std::string::npos) << refused.err;

  auto deleted = lines;
  deleted.erase(deleted.begin() + 19);  // row 19 goes: row 20 becomes row 19, and row 20 is no more
  write_lines(deleted);
  refused = pipehost({"run"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("1 rows changed in the input"), std::string::npos) << refused.err;
  auto redone = pipehost({"run", "--rerun-changed"});
  ASSERT_EQ(redone.exit_code, 0) << redone.err;
  EXPECT_EQ(expect_complete_output(), 19u);
  EXPECT_EQ(sends_by_key()["19"], 2) << "row 19 now holds another song: asked again";
  EXPECT_EQ(sends_by_key()["18"], 1);
}

TEST_F(LedgerHonestyTest, APromptChangeWhileJobsAreInFlightIsRedoneUnderTheNewPrompt) {
  loggers_json_ = R"({"plugin": "jsonl-log", "path": "calls.jsonl", "system_instruction": "full"})";
  start(400, "batch_ms=1500", R"(, "batch_size": 200)");
  kill_run_after(2);
  std::string prompt = read_file(std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/prompt.md");
  write_file(dir_.file("prompt-v2.md"), prompt + "\nAnswer tersely.\n");
  write_config(R"(, "batch_size": 200)", "", dir_.file("prompt-v2.md"));

  auto refused = pipehost({"run"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("400 rows in"), std::string::npos) << refused.err;
  EXPECT_EQ(batches_created(), 2);

  auto rerun = pipehost({"run", "--rerun-changed"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(expect_complete_output(), 400u);
  EXPECT_EQ(batches_created(), 4) << "the old jobs' answers were collected, then every row was redone";
  // Each call is logged with the system instruction its request was sent with.
  std::map<std::string, std::set<std::string>> keys_by_prompt;
  std::istringstream calls(read_file(dir_.file("calls.jsonl")));
  for (std::string line; std::getline(calls, line);) {
    auto event = json::parse(line);
    auto system = json::value_to<std::string>(event.at("input").at("messages").at(0).at("content"));
    auto key = json::value_to<std::string>(event.at("metadata").at("row_key"));
    bool new_prompt = system.find("Answer tersely.") != std::string::npos;
    EXPECT_TRUE(keys_by_prompt[new_prompt ? "new" : "old"].insert(key).second) << key << " logged twice";
  }
  EXPECT_EQ(keys_by_prompt["old"].size(), 400u) << "the old jobs' calls carry the old prompt";
  EXPECT_EQ(keys_by_prompt["new"].size(), 400u);
  auto settled = pipehost({"run"});
  EXPECT_EQ(settled.exit_code, 0) << "every answer is now the new prompt's: " << settled.err;
  EXPECT_EQ(batches_created(), 4);
}

TEST_F(LedgerHonestyTest, ParserChangesReparseTheKeptAnswersAndCostNothing) {
  start(30, "");
  ASSERT_EQ(pipehost({"run"}).exit_code, 0);
  auto original = read_csv(output_path());

  parser_extra_ = R"(, "list_separator": " | ")";
  write_config("", "");
  auto separator = pipehost({"run"});
  ASSERT_EQ(separator.exit_code, 0) << separator.err;
  auto relisted = read_csv(output_path());
  for (std::size_t i = 0; i < 30; ++i) {
    auto expected = original.at(i, "subgenres");
    for (std::size_t at; (at = expected.find("; ")) != std::string::npos;) expected.replace(at, 2, " | ");
    EXPECT_EQ(relisted.at(i, "subgenres"), expected) << "row " << i + 1;
  }

  // Reverse the property order in the schema the request and the parser read.
  schema_file_ = write_schema("schema-reordered.json", [](json::object& schema) {
    json::object reversed;
    auto& properties = schema.at("properties").as_object();
    for (auto it = properties.end(); it != properties.begin();) {
      --it;
      reversed[it->key()] = it->value();
    }
    properties = reversed;
    auto& order = schema.at("propertyOrdering").as_array();
    std::reverse(order.begin(), order.end());
  });
  write_config("", "");
  EXPECT_EQ(pipehost({"run"}).exit_code, 2) << "the model would see another schema: a rerun trigger";
  auto accepted = pipehost({"run", "--accept-changed"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  auto reordered = read_csv(output_path());
  EXPECT_EQ(reordered.columns[5], "context") << "columns follow the new order";
  for (std::size_t i = 0; i < 30; ++i)
    for (const char* column : {"primary_genre", "energy", "mood", "era", "context"})
      EXPECT_EQ(reordered.at(i, column), original.at(i, column)) << "row " << i + 1 << " " << column;
  EXPECT_EQ(batches_created(), 1) << "nothing was paid for again";
}

TEST_F(LedgerHonestyTest, AnAddedRequiredPropertyIsNeverABlankOkColumn) {
  start(10, "");
  ASSERT_EQ(pipehost({"run"}).exit_code, 0);
  schema_file_ = write_schema("schema-added.json", [](json::object& schema) {
    schema.at("properties").as_object()["tempo_bpm"] = json::object{{"type", "INTEGER"}};
    schema.at("required").as_array().push_back("tempo_bpm");
    schema.at("propertyOrdering").as_array().push_back("tempo_bpm");
  });
  write_config("", "");
  auto accepted = pipehost({"run", "--accept-changed"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_NE(
      accepted.err.find("10 no longer parse (they lack what the parser now requires) and will be sent again"),
      std::string::npos)
      << "paying again is said out loud: " << accepted.err;
  auto out = read_csv(output_path());
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(out.at(i, "_status"), "ok");
    EXPECT_FALSE(out.at(i, "tempo_bpm").empty()) << "row " << i + 1 << ": an ok row has every column";
  }
  EXPECT_EQ(batches_created(), 2) << "the old answers lack the new property: the rows were asked again";
}

}  // namespace
}  // namespace pipehost::test
