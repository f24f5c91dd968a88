// `pipehost rows`, `calls` and `report` on a real run against the emulator (some rows fail on
// purpose), checked against the output CSV the same run wrote.
#include <map>
#include <sstream>

#include <boost/json.hpp>

#include "ledger/state_dir_lock.hpp"
#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

std::vector<json::object> json_lines(const std::string& text) {
  std::vector<json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line).as_object());
  return out;
}

std::string text_of(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : std::string();
}

std::map<std::string, std::size_t> column_counts(const CsvTable& table, const std::string& column) {
  std::map<std::string, std::size_t> counts;
  for (std::size_t i = 0; i < table.rows.size(); ++i)
    if (table.at(i, "_status") == "ok") ++counts[table.at(i, column)];
  return counts;
}

/// Contents of the ledger's files (the database and its write-ahead log).
std::string ledger_bytes(const std::string& state) {
  std::string bytes;
  for (const char* name : {"ledger.sqlite", "ledger.sqlite-wal"})
    if (std::filesystem::exists(state + "/" + name)) bytes += read_file(state + "/" + name);
  return bytes;
}

class ReportCommands : public PipelineTest {
 protected:
  /// A run of `rows` rows where about a fifth fail for good (one attempt each).
  CsvTable run_with_failures(int rows) {
    start(rows, "line_error=0.1,prose=0.1");
    auto run = pipehost({"run", "--set", "run.max_attempts=1"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    return read_csv(output_path());
  }
};

TEST_F(ReportCommands, RowsMatchTheOutputByStatusAndByAnswer) {
  auto output = run_with_failures(150);

  auto failed = pipehost({"rows", "--status", "failed", "--json"});
  ASSERT_EQ(failed.exit_code, 0) << failed.err;
  auto failed_rows = json_lines(failed.out);
  std::vector<std::pair<std::string, std::string>> expected;
  for (std::size_t i = 0; i < output.rows.size(); ++i)
    if (output.at(i, "_status") == "failed")
      expected.emplace_back(output.rows[i].key, output.at(i, "_error"));
  ASSERT_FALSE(expected.empty()) << "the faults made no row fail";
  ASSERT_EQ(failed_rows.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(text_of(failed_rows[i].at("status")), "failed");
    EXPECT_EQ(text_of(failed_rows[i].at("error")), expected[i].second);
    EXPECT_TRUE(failed_rows[i].at("fields").is_null());
    EXPECT_EQ(failed_rows[i].at("attempts").as_int64(), 1);
  }

  auto high = pipehost({"rows", "--where", "energy=High", "--json"});
  ASSERT_EQ(high.exit_code, 0) << high.err;
  auto high_rows = json_lines(high.out);
  EXPECT_EQ(high_rows.size(), column_counts(output, "energy")["High"]);
  for (const auto& row : high_rows) {
    EXPECT_EQ(text_of(row.at("fields").at("energy")), "High");
    EXPECT_EQ(row.at("fields").as_object().size(), 8u) << "every output column, by name";
    EXPECT_EQ(text_of(row.at("status")), "ok");
  }
  auto not_high = pipehost({"rows", "--where", "energy!=High", "--where", "accessibility=Cheesy", "--json"});
  for (const auto& row : json_lines(not_high.out)) {
    EXPECT_NE(text_of(row.at("fields").at("energy")), "High");
    EXPECT_EQ(text_of(row.at("fields").at("accessibility")), "Cheesy");
  }

  auto first = pipehost({"rows", "--limit", "3"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("  energy: "), std::string::npos) << first.out;
  EXPECT_TRUE(first.out.ends_with("\n3 rows\n")) << first.out;
  EXPECT_EQ(json_lines(pipehost({"rows", "--status", "ok", "--limit", "4", "--json"}).out).size(), 4u);
  EXPECT_EQ(json_lines(pipehost({"rows", "--json"}).out).size(), 150u);
}

TEST_F(ReportCommands, CallsShowEveryAnswerOfARow) {
  auto output = run_with_failures(60);
  std::string failed_key;
  for (std::size_t i = 0; i < output.rows.size() && failed_key.empty(); ++i)
    if (output.at(i, "_status") == "failed") failed_key = output.rows[i].key;
  ASSERT_FALSE(failed_key.empty());

  auto calls = pipehost({"calls", "--key", failed_key, "--json"});
  ASSERT_EQ(calls.exit_code, 0) << calls.err;
  auto lines = json_lines(calls.out);
  ASSERT_EQ(lines.size(), 1u) << calls.out;
  const auto& call = lines[0];
  EXPECT_EQ(text_of(call.at("key")), failed_key);
  EXPECT_FALSE(call.at("ok").as_bool());
  EXPECT_FALSE(text_of(call.at("error")).empty());
  EXPECT_EQ(call.at("attempt").as_int64(), 1);
  EXPECT_TRUE(text_of(call.at("job")).starts_with("pipehost-"));
  ASSERT_EQ(call.at("request").at("user_parts").as_array().size(), 1u);
  EXPECT_NE(text_of(call.at("request").at("user_parts").at(0)).find("Song number"), std::string::npos);
  for (const char* member : {"raw_text", "finish_reason", "model_version", "usage", "fingerprint",
                             "started_at", "completed_at", "latency_s"})
    EXPECT_TRUE(call.contains(member)) << member;
  EXPECT_GE(call.at("latency_s").as_double(), 0);

  auto text = pipehost({"calls", "--key", output.rows[0].key});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("  answer: "), std::string::npos) << text.out;
  EXPECT_TRUE(text.out.ends_with("\n1 call\n")) << text.out;

  auto all = json_lines(pipehost({"calls", "--json"}).out);
  EXPECT_EQ(all.size(), 60u) << "one answer per row: each had one attempt";
  EXPECT_EQ(json_lines(pipehost({"calls", "--json", "--limit", "7"}).out).size(), 7u);
}

TEST_F(ReportCommands, BadFiltersAreUsageErrors) {
  start(5, "");
  ASSERT_EQ(pipehost({"run"}).exit_code, 0);
  auto status = pipehost({"rows", "--status", "done"});
  EXPECT_EQ(status.exit_code, 2);
  EXPECT_NE(status.err.find("--status takes ok, failed or pending"), std::string::npos) << status.err;
  auto where = pipehost({"rows", "--where", "enrgy=High"});
  EXPECT_EQ(where.exit_code, 2);
  EXPECT_NE(where.err.find("did you mean \"energy\""), std::string::npos) << where.err;
  EXPECT_EQ(pipehost({"rows", "--where", "energy"}).exit_code, 2);
  EXPECT_EQ(pipehost({"calls", "--key", "no-such-key"}).exit_code, 2);
  auto none = pipehost({"rows"}, "other-state");
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("no run ledger"), std::string::npos) << none.err;
}

TEST_F(ReportCommands, ReportAtTheEndOfARunAndOnDemandWithoutTouchingTheLedger) {
  start(80, "prose=0.15");
  auto run = pipehost({"run", "--set", "run.max_attempts=1"});
  ASSERT_EQ(run.exit_code, 1) << run.err;
  auto state = dir_.file("state");
  auto report = state + "/report.html";
  ASSERT_TRUE(std::filesystem::exists(report));
  EXPECT_NE(run.out.find("report: " + report), std::string::npos) << run.out;

  auto html = read_file(report);
  auto energy = column_counts(read_csv(output_path()), "energy");
  for (const char* value : {"High", "Medium", "Low"})
    EXPECT_NE(html.find(std::string("data-label=\"") + value + "\" data-count=\"" +
                        std::to_string(energy[value]) + "\""),
              std::string::npos)
        << value;
  EXPECT_NE(html.find("no JSON found"), std::string::npos) << "the failures are grouped by reason";
  auto output = read_csv(output_path());
  for (std::size_t i = 0; i < output.rows.size(); ++i)
    if (output.at(i, "_status") == "failed") {
      EXPECT_NE(html.find("<td class=\"key\"><code>" + output.rows[i].key + "</code>"), std::string::npos)
          << "the first failed row is an example of its reason";
      break;
    }

  // The headline: every token once (input includes its cached part), the cached share as a share.
  auto summary = json::parse(read_file(state + "/summary.json"));
  const auto& tokens = summary.at("tokens");
  auto all =
      tokens.at("input").as_int64() + tokens.at("output").as_int64() + tokens.at("thinking").as_int64();
  std::string digits = std::to_string(all), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i)
    grouped += (i && (digits.size() - i) % 3 == 0 ? "," : "") + digits.substr(i, 1);
  EXPECT_NE(html.find("<div class=\"label\">Tokens</div><div class=\"big\">" + grouped + "</div>"),
            std::string::npos)
      << grouped;
  EXPECT_NE(html.find("<tr><td>cached share</td><td class=\"n\">"), std::string::npos);
  EXPECT_NE(html.find(" %</td>"), std::string::npos) << "shares are percentages";
  // Run details: what ran, with which versions, on which ledger.
  for (const char* detail : {"config fingerprint", "parser fingerprint", "csv-io 1.0.0", "gemini-batch 1.0.0",
                             "gemini-flash-latest", "(schema version 3)"})
    EXPECT_NE(html.find(detail), std::string::npos) << detail;

  // On demand, beside a run that holds the state dir: read-only, no lock, the ledger unchanged.
  auto before = ledger_bytes(state);
  {
    ledger::StateDirLock live_run(state);
    auto again = pipehost({"report", "-o", dir_.file("elsewhere/report.html")});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("elsewhere/report.html"), std::string::npos);
  }
  EXPECT_EQ(ledger_bytes(state), before);
  EXPECT_NE(read_file(dir_.file("elsewhere/report.html")).find("data-property=\"accessibility\""),
            std::string::npos);

  std::filesystem::remove(report);
  ASSERT_EQ(pipehost({"export", "--set", "run.report=false"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(report)) << "run.report: false writes none";
}

}  // namespace
}  // namespace pipehost::test
