// The run ledger's promises: durable job intent, results applied at most once per submission,
// retries counted, released jobs costing no attempt, config fingerprints, reopening after a crash.
#include "ledger/run_ledger.hpp"

#include <gtest/gtest.h>

#include "test_host.hpp"

namespace {

using namespace pipehost::ledger;

class LedgerTest : public ::testing::Test {
 protected:
  void register_rows(RunLedger& ledger, int n) {
    auto scan = ledger.begin_scan();
    for (int i = 1; i <= n; ++i) ASSERT_EQ(ledger.register_row(scan, "k" + std::to_string(i), i, i + 1), 0u);
    ledger.finish_scan(scan);
  }
  std::vector<JobRow> job_rows(std::initializer_list<const char*> keys, int attempt = 1) {
    std::vector<JobRow> rows;
    for (const char* k : keys)
      rows.push_back({k, attempt, {"user text"}, {"v1", "v2"}, "h-" + std::string(k)});
    return rows;
  }
  RowOutcome ok(const std::string& key, int attempt = 1) {
    RowOutcome o;
    o.key = key, o.attempt = attempt, o.ok = true, o.fields = {"a", "b"}, o.input_hash = "h-" + key;
    o.usage.input_tokens = 10, o.usage.output_tokens = 3;
    return o;
  }
  RowOutcome failed(const std::string& key, int attempt, bool retryable = true) {
    RowOutcome o;
    o.key = key, o.attempt = attempt, o.ok = false, o.retryable = retryable,
    o.error = "parse error: no JSON found";
    return o;
  }
  std::filesystem::path file() { return dir_.path() / "ledger.sqlite"; }
  pipehost::test::TempDir dir_;
};

TEST_F(LedgerTest, RegistrationFindsDuplicatesWithinAScanOnly) {
  RunLedger ledger(file());
  auto scan = ledger.begin_scan();
  EXPECT_EQ(ledger.register_row(scan, "a", 1, 2), 0u);
  EXPECT_EQ(ledger.register_row(scan, "b", 2, 3), 0u);
  EXPECT_EQ(ledger.register_row(scan, "a", 3, 7), 2u) << "the duplicate names the earlier line";
  ledger.finish_scan(scan);
  auto next = ledger.begin_scan();
  EXPECT_EQ(ledger.register_row(next, "a", 1, 2), 0u) << "a new scan sees every key afresh";
  ledger.finish_scan(next);
}

TEST_F(LedgerTest, JobLifecycleAppliesEachResultOnce) {
  RunLedger ledger(file());
  register_rows(ledger, 3);
  EXPECT_EQ(ledger.eligible_rows(3).size(), 3u);
  auto job = ledger.plan_job(job_rows({"k1", "k2", "k3"}), 300);
  EXPECT_EQ(job.display_name, "pipehost-" + ledger.run_id() + "-00001");
  EXPECT_TRUE(ledger.eligible_rows(3).empty()) << "submitted rows are not eligible";
  ledger.set_job_handle(job.id, "batches/1");

  ledger.record_outcomes(job.id, {ok("k1"), failed("k2", 1)}, "fp");
  ledger.record_outcomes(job.id, {failed("k1", 1)}, "fp");  // a re-fetch must not undo k1
  ledger.close_job(job.id, JobState::fetched, "no answer", "fp");

  EXPECT_EQ(ledger.row_result("k1")->state, RowState::done);
  EXPECT_EQ(ledger.row_result("k1")->fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ledger.row_result("k2")->state, RowState::failed);
  EXPECT_EQ(ledger.row_result("k2")->error, "parse error: no JSON found");
  EXPECT_EQ(ledger.row_result("k3")->error, "no answer");
  EXPECT_EQ(ledger.row_result("k3")->attempts, 1) << "a row without an answer used its attempt";
  auto eligible = ledger.eligible_rows(3);
  ASSERT_EQ(eligible.size(), 2u);
  EXPECT_EQ(eligible[0].ordinal, 2u);
  EXPECT_EQ(eligible[0].attempts, 1);
  EXPECT_TRUE(ledger.eligible_rows(1).empty()) << "max_attempts reached";
  ledger.reset_failures_with_other_fingerprint("fp");
  EXPECT_TRUE(ledger.eligible_rows(1).empty()) << "failures under the same config keep their attempts";
  EXPECT_EQ(ledger.counts().tokens.input, 10);
}

TEST_F(LedgerTest, NonRetryableFailuresAreNotEligible) {
  RunLedger ledger(file());
  register_rows(ledger, 1);
  auto job = ledger.plan_job(job_rows({"k1"}), 1);
  ledger.record_outcomes(job.id, {failed("k1", 1, false)}, "fp");
  EXPECT_TRUE(ledger.eligible_rows(5).empty());
}

TEST_F(LedgerTest, ReleasedJobsCostNoAttempt) {
  RunLedger ledger(file());
  register_rows(ledger, 2);
  auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1);
  ledger.release_job(job.id);
  auto eligible = ledger.eligible_rows(1);
  ASSERT_EQ(eligible.size(), 2u);
  EXPECT_EQ(eligible[0].attempts, 0);
  EXPECT_EQ(ledger.jobs()[0].state, JobState::discarded);
}

TEST_F(LedgerTest, PlannedJobsSurviveReopening) {
  std::string name, run_id;
  {
    RunLedger ledger(file());
    register_rows(ledger, 2);
    auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1);
    name = job.display_name;
    run_id = ledger.run_id();
  }  // "crash" after recording the intent
  RunLedger reopened(file());
  EXPECT_EQ(reopened.run_id(), run_id);
  auto unfinished = reopened.unfinished_jobs();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].display_name, name);
  EXPECT_EQ(unfinished[0].state, JobState::planned);
  auto rows = reopened.job_rows(unfinished[0].id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].user_parts, std::vector<std::string>{"user text"});
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"v1", "v2"}));
}

TEST_F(LedgerTest, OnlineOutcomesApplyToRowsNotDone) {
  RunLedger ledger(file());
  register_rows(ledger, 1);
  ledger.record_outcomes(0, {failed("k1", 1)}, "fp");
  ledger.record_outcomes(0, {ok("k1", 2)}, "fp");
  ledger.record_outcomes(0, {failed("k1", 3)}, "fp");
  EXPECT_EQ(ledger.row_result("k1")->state, RowState::done);
}

TEST_F(LedgerTest, FingerprintChangesAreCountedRerunOrAccepted) {
  RunLedger ledger(file());
  register_rows(ledger, 3);
  auto job = ledger.plan_job(job_rows({"k1", "k2", "k3"}), 1, "old");
  ledger.record_outcomes(job.id, {ok("k1"), ok("k2"), failed("k3", 1)}, "old");
  EXPECT_EQ(ledger.changed_rows("new").config, 2u);
  EXPECT_EQ(ledger.changed_rows("new").config_keys, (std::vector<std::string>{"k1", "k2"}));
  EXPECT_FALSE(ledger.changed_rows("old").any());
  ledger.reset_failures_with_other_fingerprint("new");
  EXPECT_EQ(ledger.eligible_rows(1).size(), 1u) << "a failure under an old config gets a new chance";
  EXPECT_EQ(ledger.accept_changed("new"), 2u);
  EXPECT_FALSE(ledger.changed_rows("new").any());
  EXPECT_EQ(ledger.rerun_changed("newer"), 2u);
  EXPECT_EQ(ledger.row_result("k1")->state, RowState::pending);
  EXPECT_EQ(ledger.calls("k1").size(), 1u) << "the old answer is kept as a call";
}

TEST_F(LedgerTest, RowsInFlightUnderAnOldConfigCountAsChanged) {
  RunLedger ledger(file());
  register_rows(ledger, 2);
  auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1, "old");
  EXPECT_EQ(ledger.changed_rows("new").config, 2u);
  EXPECT_EQ(ledger.rerun_changed("new"), 0u) << "rows in flight stay with their job";
  ledger.record_outcomes(job.id, {ok("k1"), ok("k2")}, job.fingerprint);
  EXPECT_EQ(ledger.changed_rows("new").config, 2u)
      << "their answers are recorded under the job's fingerprint";
  EXPECT_EQ(ledger.rerun_changed("new"), 2u);
}

TEST_F(LedgerTest, EditedContentIsDetectedAgainstWhatWasSent) {
  RunLedger ledger(file());
  auto scan = ledger.begin_scan();
  ledger.register_row(scan, "k1", 1, 2, "h-k1");
  ledger.register_row(scan, "k2", 2, 3, "h-k2");
  ledger.finish_scan(scan);
  auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1, "fp");
  ledger.record_outcomes(job.id, {ok("k1"), ok("k2")}, "fp");
  EXPECT_FALSE(ledger.changed_rows("fp").any());

  scan = ledger.begin_scan();
  ledger.register_row(scan, "k1", 1, 2, "h-k1");
  ledger.register_row(scan, "k2", 2, 3, "edited");
  ledger.finish_scan(scan);
  auto changed = ledger.changed_rows("fp");
  EXPECT_EQ(changed.content, 1u);
  EXPECT_EQ(changed.content_keys, std::vector<std::string>{"k2"});
  EXPECT_EQ(changed.config, 0u);
  EXPECT_EQ(ledger.accept_changed("fp"), 1u);
  EXPECT_FALSE(ledger.changed_rows("fp").any()) << "accepted: the answer now stands for the edited row";
}

TEST_F(LedgerTest, EveryAnswerIsKeptAsACallOnce) {
  RunLedger ledger(file());
  register_rows(ledger, 1);
  auto job = ledger.plan_job(job_rows({"k1"}), 1, "fp");
  auto answer = failed("k1", 1);
  answer.raw_text = "Sure! Here you go.";
  ledger.record_outcomes(job.id, {answer}, "fp");
  ledger.record_outcomes(job.id, {answer}, "fp");  // a re-fetch after a crash
  auto retry = ledger.plan_job(job_rows({"k1"}, 2), 1, "fp");
  auto good = ok("k1", 2);
  good.raw_text = R"({"a":1})";
  ledger.record_outcomes(retry.id, {good}, "fp", "parser-1");
  auto calls = ledger.calls("k1");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(calls[0].ok);
  EXPECT_EQ(calls[0].raw_text, "Sure! Here you go.");
  EXPECT_EQ(calls[0].job_name, job.display_name);
  EXPECT_EQ(calls[0].user_parts, std::vector<std::string>{"user text"});
  EXPECT_TRUE(calls[1].ok);
  EXPECT_EQ(calls[1].attempt, 2);
}

TEST_F(LedgerTest, ChangedParserListsStoredAnswersToParseAgain) {
  RunLedger ledger(file());
  register_rows(ledger, 3);
  auto job = ledger.plan_job(job_rows({"k1", "k2", "k3"}), 1, "fp");
  auto a1 = ok("k1"), a2 = ok("k2");
  a1.raw_text = "one", a2.raw_text = "two";
  ledger.record_outcomes(job.id, {a1, a2, failed("k3", 1)}, "fp", "parser-1");
  EXPECT_TRUE(ledger.answers_to_reparse("parser-1", "", 10).empty());
  auto answers = ledger.answers_to_reparse("parser-2", "", 10);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].raw_text, "one");
  ledger.begin_batch();
  ledger.store_reparsed("k1", {"ONE", "1"}, "parser-2");
  ledger.fail_reparsed("k2", "parse error: field x missing", "parser-2");
  ledger.commit_batch();
  EXPECT_TRUE(ledger.answers_to_reparse("parser-2", "", 10).empty());
  EXPECT_EQ(ledger.row_result("k1")->fields, (std::vector<std::string>{"ONE", "1"}));
  EXPECT_EQ(ledger.row_result("k2")->state, RowState::failed);
  EXPECT_EQ(ledger.eligible_rows(2).size(), 2u) << "k2 (fresh attempts) and k3";
  EXPECT_EQ(ledger.eligible_rows(1).size(), 1u) << "k2 starts again from its first attempt";
}

TEST_F(LedgerTest, RequeueFailedGivesFreshAttempts) {
  RunLedger ledger(file());
  register_rows(ledger, 2);
  auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1);
  ledger.record_outcomes(job.id, {failed("k1", 3), failed("k2", 1, false)}, "fp");
  EXPECT_TRUE(ledger.eligible_rows(3).empty());
  EXPECT_EQ(ledger.requeue_failed(), 2u);
  EXPECT_EQ(ledger.eligible_rows(3).size(), 2u);
}

TEST_F(LedgerTest, AJobEndedButNotSettledIsStillUnfinished) {
  RunLedger ledger(file());
  register_rows(ledger, 2);
  auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1);
  ledger.set_job_handle(job.id, "batches/1");
  pipehost::JobStatus status;
  status.state = pipehost::JobState::failed;
  ledger.set_job_state(job.id, JobState::failed,
                       &status);  // then the process dies before the rows are settled
  RunLedger reopened(file());
  ASSERT_EQ(reopened.unfinished_jobs().size(), 1u) << "its rows would otherwise stay submitted for ever";
  reopened.close_job(job.id, JobState::failed, "batch job failed", "fp");
  EXPECT_TRUE(reopened.unfinished_jobs().empty());
}

TEST_F(LedgerTest, AScratchCopyNeverChangesTheLedger) {
  {
    RunLedger ledger(file());
    register_rows(ledger, 2);
  }
  auto before = pipehost::test::read_file(file());
  {
    auto copy = RunLedger::scratch_copy_of(file());
    EXPECT_EQ(copy->eligible_rows(1).size(), 2u);
    copy->plan_job(job_rows({"k1", "k2"}), 1);
    EXPECT_TRUE(copy->eligible_rows(1).empty());
  }
  EXPECT_EQ(pipehost::test::read_file(file()), before);
  RunLedger reopened(file());
  EXPECT_EQ(reopened.eligible_rows(1).size(), 2u);
  EXPECT_TRUE(RunLedger::scratch_copy_of(dir_.path() / "none.sqlite")->jobs().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "none.sqlite"));
}

TEST_F(LedgerTest, AVersionOneLedgerIsMigratedWithItsAnswers) {
  {
    pipehost::ledger::Database db(file());
    db.exec(R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rows (key TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, line INTEGER NOT NULL, scan INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, retryable INTEGER NOT NULL DEFAULT 1,
  job_id INTEGER, last_error TEXT, fingerprint TEXT, prompt_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0, cached_tokens INTEGER NOT NULL DEFAULT 0,
  thoughts_tokens INTEGER NOT NULL DEFAULT 0, updated_at REAL);
CREATE INDEX rows_by_scan ON rows(scan, ordinal);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, display_name TEXT NOT NULL UNIQUE, handle TEXT, state TEXT NOT NULL,
  row_count INTEGER NOT NULL, bytes INTEGER NOT NULL, succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0, message TEXT, created_at REAL NOT NULL, submitted_at REAL, updated_at REAL NOT NULL);
CREATE TABLE job_rows (job_id INTEGER NOT NULL, key TEXT NOT NULL, attempt INTEGER NOT NULL, user_parts TEXT NOT NULL,
  input_values TEXT NOT NULL, PRIMARY KEY (job_id, key));
CREATE TABLE results (key TEXT PRIMARY KEY, fields TEXT NOT NULL, raw_text TEXT, model_version TEXT,
  finish_reason TEXT, attempt INTEGER NOT NULL, fingerprint TEXT, completed_at REAL NOT NULL);
INSERT INTO meta VALUES('schema_version', '1'), ('run_id', 'abcd1234'), ('current_scan', '1'),
  ('config_fingerprint', 'fp-v1');
INSERT INTO rows(key, ordinal, line, scan, state, attempts, fingerprint) VALUES('k1', 1, 2, 1, 2, 1, 'fp-v1'),
  ('k2', 2, 3, 1, 1, 0, NULL);
INSERT INTO jobs VALUES(1, 'pipehost-abcd1234-00001', 'batches/1', 'fetched', 1, 10, 1, 0, NULL, 1, 1, 1),
  (2, 'pipehost-abcd1234-00002', 'batches/2', 'running', 1, 10, 0, 0, NULL, 1, 1, 1);
UPDATE rows SET job_id=2 WHERE key='k2';
INSERT INTO job_rows VALUES(1, 'k1', 1, '["u1"]', '["v1"]'), (2, 'k2', 1, '["u2"]', '["v2"]');
INSERT INTO results VALUES('k1', '["a","b"]', '{"x":"a"}', 'm-1', 'STOP', 1, 'fp-v1', 5);
)sql");
  }
  RunLedger ledger(file());
  EXPECT_EQ(ledger.meta("schema_version"), std::to_string(RunLedger::kSchemaVersion));
  EXPECT_EQ(ledger.run_id(), "abcd1234");
  EXPECT_EQ(ledger.row_result("k1")->fields, (std::vector<std::string>{"a", "b"}));
  auto calls = ledger.calls("k1");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].raw_text, R"({"x":"a"})") << "the raw answer moved into the calls";
  EXPECT_EQ(calls[0].model_version, "m-1");
  EXPECT_EQ(ledger.answers_to_reparse("p", "", 10).size(), 1u);
  EXPECT_EQ(ledger.unfinished_jobs().at(0).fingerprint, "fp-v1")
      << "jobs in flight keep the config they were sent under";
  EXPECT_EQ(ledger.changed_rows("fp-v1").content, 0u) << "unknown content hashes never count as changes";
  ledger.rename_fingerprint("fp-v1", "fp-v2");
  EXPECT_FALSE(ledger.changed_rows("fp-v2").any());
  EXPECT_FALSE(ledger.request_template("fp-v1")) << "a migrated ledger has no requests kept, and says so";
}

TEST_F(LedgerTest, TheFirstRequestKeptForAConfigStays) {
  {
    RunLedger ledger(file());
    ledger.keep_request_template("fp-1", R"({"system_instruction":"first"})");
    ledger.keep_request_template("fp-1", R"({"system_instruction":"second"})");
    ledger.keep_request_template("fp-2", R"({"system_instruction":"other"})");
  }
  RunLedger reopened(file());
  EXPECT_EQ(reopened.request_template("fp-1"), R"({"system_instruction":"first"})");
  EXPECT_EQ(reopened.request_template("fp-2"), R"({"system_instruction":"other"})");
  EXPECT_FALSE(reopened.request_template("fp-3"));
}

TEST_F(LedgerTest, RefusesANewerSchema) {
  {
    RunLedger ledger(file());
    ledger.set_meta("schema_version", "99");
  }
  try {
    RunLedger reopened(file());
    FAIL() << "a ledger from a newer pipehost must be refused";
  } catch (const LedgerError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99, newer than this pipehost understands"),
              std::string::npos);
  }
}

}  // namespace
