// The read-only ledger reader over a ledger written through RunLedger: filters, calls, inputs, and
// that reading never creates or changes anything.
#include "ledger/ledger_reader.hpp"

#include <gtest/gtest.h>

#include "test_host.hpp"

namespace pipehost::ledger {
namespace {

using test::TempDir;

/// Five rows: a, d ok (energy High), b ok (Low), c failed (answer kept), e pending.
class LedgerReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = std::make_unique<RunLedger>(file());
    auto scan = ledger_->begin_scan();
    std::uint64_t ordinal = 0;
    for (const char* key : {"a", "b", "c", "d", "e"}) {
      ++ordinal;
      ledger_->register_row(scan, key, ordinal, ordinal + 1);
    }
    ledger_->finish_scan(scan);
    std::vector<JobRow> rows;
    for (const char* key : {"a", "b", "c", "d"})
      rows.push_back({key, 1, {std::string("Song ") + key}, {std::string("artist ") + key, "song", "x"}, ""});
    auto job = ledger_->plan_job(rows, 100, "fp");
    ledger_->set_job_handle(job.id, "batches/1");
    auto ok = [](const char* key, std::vector<std::string> fields) {
      RowOutcome o;
      o.key = key;
      o.ok = true;
      o.fields = {fields.begin(), fields.end()};
      o.raw_text = std::string("{\"energy\": \"") + fields[0] + "\"}";
      o.usage.input_tokens = 10;
      o.usage.output_tokens = 5;
      o.started_at = 1000;
      return o;
    };
    RowOutcome failed;
    failed.key = "c";
    failed.error = "no JSON found";
    failed.raw_text = "sorry <script>";
    ledger_->record_outcomes(
        job.id, {ok("a", {"High", "x"}), ok("b", {"Low", "y"}), failed, ok("d", {"High", "z"})}, "fp");
    ledger_->set_job_state(job.id, JobState::fetched);
  }

  std::string file() const { return dir_.file("ledger.sqlite"); }

  std::vector<std::string> keys(const RowQuery& query) {
    LedgerReader reader(file());
    std::vector<std::string> out;
    reader.for_each_row(query, [&](const RowView& row) {
      out.push_back(row.key);
      return true;
    });
    return out;
  }

  TempDir dir_;
  std::unique_ptr<RunLedger> ledger_;
};

using Keys = std::vector<std::string>;

TEST_F(LedgerReaderTest, RowsByStatusInInputOrder) {
  EXPECT_EQ(keys({}), (Keys{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(keys({RowStatus::ok, {}, {}}), (Keys{"a", "b", "d"}));
  EXPECT_EQ(keys({RowStatus::failed, {}, {}}), (Keys{"c"}));
  EXPECT_EQ(keys({RowStatus::pending, {}, {}}), (Keys{"e"}));
  EXPECT_EQ(keys({std::nullopt, {}, 2}), (Keys{"a", "b"}));
}

TEST_F(LedgerReaderTest, WhereMatchesParsedFieldsOnly) {
  EXPECT_EQ(keys({std::nullopt, {{0, "High", true}}, {}}), (Keys{"a", "d"}));
  EXPECT_EQ(keys({std::nullopt, {{0, "High", false}}, {}}), (Keys{"b"}))
      << "rows without an answer never match";
  EXPECT_EQ(keys({std::nullopt, {{0, "High", true}, {1, "z", true}}, {}}), (Keys{"d"}));
  EXPECT_EQ(keys({RowStatus::failed, {{0, "High", true}}, {}}), Keys{});
}

TEST_F(LedgerReaderTest, RowViewsCarryAnswersReasonsAndTokens) {
  LedgerReader reader(file());
  std::vector<RowView> rows;
  reader.for_each_row({}, [&](const RowView& row) {
    rows.push_back(row);
    return true;
  });
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"High", "x"}));
  EXPECT_EQ(rows[0].tokens.input, 10);
  EXPECT_EQ(rows[2].state, RowState::failed);
  EXPECT_EQ(rows[2].error, "no JSON found");
  EXPECT_TRUE(rows[2].fields.empty());
  EXPECT_EQ(rows[4].state, RowState::pending);
  auto counts = reader.counts();
  EXPECT_EQ(counts.total_rows, 5u);
  EXPECT_EQ(counts.rows_by_state["done"], 3u);
  EXPECT_EQ(counts.tokens.output, 15);
}

TEST_F(LedgerReaderTest, CallsInputsAndJobs) {
  LedgerReader reader(file());
  std::vector<CallRecord> calls;
  reader.for_each_call("c", [&](const CallRecord& call) {
    calls.push_back(call);
    return true;
  });
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_FALSE(calls[0].ok);
  EXPECT_EQ(calls[0].raw_text, "sorry <script>");
  EXPECT_EQ(calls[0].user_parts, (std::vector<std::string>{"Song c"}));
  EXPECT_FALSE(calls[0].job_name.empty());
  std::size_t all = 0;
  reader.for_each_call("", [&](const CallRecord&) { return ++all < 3; });
  EXPECT_EQ(all, 3u) << "returning false stops";
  EXPECT_EQ(reader.last_call("a")->raw_text, "{\"energy\": \"High\"}");
  EXPECT_FALSE(reader.last_call("e"));
  auto inputs = reader.input_values({"c", "e"});
  EXPECT_EQ(inputs["c"], (std::vector<std::string>{"artist c", "song", "x"}));
  EXPECT_FALSE(inputs.count("e")) << "never sent";
  auto jobs = reader.jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].job.state, pipehost::ledger::JobState::fetched);
  EXPECT_GE(jobs[0].updated_at, jobs[0].job.created_at);
  EXPECT_TRUE(reader.has_row("e"));
  EXPECT_FALSE(reader.has_row("zz"));
}

TEST_F(LedgerReaderTest, ReadsBesideAWriterAndChangesNothing) {
  ledger_.reset();  // checkpointed and closed: the file alone holds the ledger
  auto before = test::read_file(file());
  auto modified = std::filesystem::last_write_time(file());
  RunLedger writer(file());  // a live run holding the ledger open
  {
    LedgerReader reader(file());
    EXPECT_EQ(reader.counts().total_rows, 5u);
    reader.for_each_row({}, [](const RowView&) { return true; });
  }
  EXPECT_EQ(test::read_file(file()), before);
  EXPECT_EQ(std::filesystem::last_write_time(file()), modified);
}

TEST(LedgerReader, RefusesMissingFilesAndOtherVersions) {
  TempDir dir;
  EXPECT_THROW(LedgerReader(dir.file("missing.sqlite")), LedgerError);
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing.sqlite"))) << "a reader never creates a ledger";
  {
    RunLedger ledger(dir.file("ledger.sqlite"));
    ledger.set_meta("schema_version", "99");
  }
  try {
    LedgerReader reader(dir.file("ledger.sqlite"));
    FAIL() << "a newer ledger was read";
  } catch (const LedgerError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
}

TEST(RowStatusNames, ParseOnlyTheThreeStatuses) {
  EXPECT_EQ(parse_row_status("ok"), RowStatus::ok);
  EXPECT_EQ(parse_row_status("pending"), RowStatus::pending);
  EXPECT_FALSE(parse_row_status("done"));
  EXPECT_FALSE(parse_row_status("OK"));
}

}  // namespace
}  // namespace pipehost::ledger
