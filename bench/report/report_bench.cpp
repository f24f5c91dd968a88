// Builds a synthetic run of the songs example with a large ledger, for timing `pipehost report` on it
// (bench/report/run.sh does, under /usr/bin/time -v).
//
//   report_bench DIR [rows=1000000]
//
// Writes DIR/run.json (the songs example's prompt and schema, a small songs.csv: the report reads
// only its first row), DIR/state/ledger.sqlite and DIR/state/summary.json. The ledger is what a
// finished batch run leaves: every row registered, jobs of 2,000 rows, one call per row with a
// songs-like raw answer (about 600 bytes), the parsed fields of the 98 % that are done, and 2 %
// failed with reasons of five kinds, one of them with a varying offset (so hundreds of groups).
// Free-text properties (reasoning, context) are all different: the worst case for their top values.
// Rows are written with plain SQL in one transaction, which takes seconds instead of the minutes
// RunLedger's durable per-job transactions would; the schema is RunLedger's own.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ledger/run_ledger.hpp"
#include "ledger/sqlite_db.hpp"

namespace {

namespace fs = std::filesystem;
using pipehost::ledger::Database;
using pipehost::ledger::RunLedger;

constexpr std::uint64_t kJobSize = 2000;

const char* kGenres[] = {"Pop",   "Rock", "R&B",   "Hip-Hop", "Country", "Dance", "Soul",      "Funk",
                         "Disco", "Folk", "Metal", "Punk",    "Reggae",  "Jazz",  "Electronic"};
const char* kStyles[] = {"Synth-pop",    "Soft Rock", "Hard Rock",      "Trap",     "Bubblegum",
                         "New Wave",     "Grunge",    "Motown",         "Britpop",  "Eurodance",
                         "Power Ballad", "Boom Bap",  "Outlaw Country", "Teen Pop", "Glam Rock",
                         "Neo-Soul",     "House",     "Yacht Rock",     "Emo",      "Latin Pop"};
const char* kEnergy[] = {"High", "Medium", "Low"};
const char* kMoods[] = {"wistful",    "defiant",   "playful", "euphoric", "brooding",    "tender",
                        "swaggering", "nostalgic", "anxious", "joyful",   "bittersweet", "romantic"};
const char* kAccessibility[] = {"Eclectic", "Timeless", "Commercial", "Cheesy"};
const char* kEras[] = {"1950s", "1960s",      "1970s", "early 1980s", "late 1980s",
                       "1990s", "late 1990s", "2000s", "2010s",       "2020s"};
const char* kReasons[] = {
    "parse error: no JSON found", "provider error INTERNAL: Internal error encountered.",
    "/energy: \"Very High\" is not one of [High, Medium, Low]", "no answer for this row in the batch output"};

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json_array(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + json_string(values[i]);
  return out + "]";
}

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: report_bench DIR [rows=1000000]\n");
    return 2;
  }
  fs::path dir = fs::absolute(argv[1]);
  std::uint64_t rows = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  auto started = std::chrono::steady_clock::now();
  fs::remove_all(dir);
  fs::create_directories(dir / "state");
  std::string examples = std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/";
  write(dir / "songs.csv",
        "artist,song,person,name,n\nToni Basil,Mickey,TRUE,Mickey,61\nDolly Parton,Jolene,TRUE,Jolene,30\n");
  write(dir / "run.json", R"({
  "source": {"plugin": "csv-io", "path": "songs.csv"},
  "request": {"plugin": "prompt-template", "system_file": ")" +
                              examples + R"(prompt.md",
              "user_template": "Artist: {{artist}}\nSong: {{song}}", "response_schema_file": ")" +
                              examples +
                              R"(schema.json"},
  "provider": {"plugin": "gemini-batch", "model": "gemini-flash-latest", "api_key_env": "GEMINI_API_KEY",
               "batch_size": 2000},
  "parser": {"plugin": "markdown-json-parser", "response_schema_file": ")" +
                              examples + R"(schema.json"},
  "sinks": [{"plugin": "csv-io", "path": "out.csv"}],
  "run": {"state_dir": "state"}
})");

  { RunLedger schema(dir / "state/ledger.sqlite"); }  // creates the current schema and meta
  Database db(dir / "state/ledger.sqlite");
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN");
  db.exec(
      "INSERT INTO meta(key, value) VALUES('current_scan', '1'), ('config_fingerprint', "
      "'bench0fingerprint'), "
      "('parser_fingerprint', 'bench0parser'), ('plugins', 'csv-io 1.0.0, prompt-template 1.0.0, "
      "gemini-batch "
      "1.0.0, markdown-json-parser 1.0.0')");
  auto insert_row = db.prepare(
      "INSERT INTO rows(key, ordinal, line, scan, state, attempts, last_error, fingerprint, prompt_tokens, "
      "output_tokens) VALUES(?, ?, ?, 1, ?, 1, ?, 'bench0fingerprint', 4100, 150)");
  auto insert_job = db.prepare(
      "INSERT INTO jobs(id, display_name, handle, state, row_count, bytes, succeeded, failed, created_at, "
      "submitted_at, updated_at, fingerprint) VALUES(?, ?, ?, 'fetched', ?, ?, ?, ?, ?, ?, ?, "
      "'bench0fingerprint')");
  auto insert_job_row = db.prepare(
      "INSERT INTO job_rows(job_id, key, attempt, user_parts, input_values) VALUES(?, ?, 1, ?, ?)");
  auto insert_call = db.prepare(
      "INSERT INTO calls(key, attempt, job_id, ok, error, raw_text, finish_reason, model_version, "
      "prompt_tokens, "
      "output_tokens, fingerprint, started_at, completed_at) VALUES(?, 1, ?, ?, ?, ?, 'STOP', "
      "'gemini-flash-latest', 4100, 150, 'bench0fingerprint', ?, ?)");
  auto insert_result = db.prepare(
      "INSERT INTO results(key, fields, attempt, fingerprint, completed_at, call_id, parser_fingerprint) "
      "VALUES(?, ?, 1, 'bench0fingerprint', ?, ?, 'bench0parser')");

  std::mt19937_64 random(42);
  auto pick = [&](const auto& list) { return std::string(list[random() % std::size(list)]); };
  double t0 = 1.7e9;
  std::uint64_t failed = 0;
  for (std::uint64_t job = 0; job * kJobSize < rows; ++job) {
    std::uint64_t first = job * kJobSize, last = std::min(rows, first + kJobSize);
    double planned = t0 + static_cast<double>(job) * 4.0, submitted = planned + 2.5,
           ended = submitted + 300 + job % 7 * 40;
    std::uint64_t job_failed = 0;
    for (std::uint64_t i = first; i < last; ++i) {
      std::string key = std::to_string(i + 1);
      std::string artist = "Artist " + std::to_string(i % 5000),
                  song = "Song number " + std::to_string(i + 1);
      bool ok = random() % 50 != 0;
      std::string reason;
      if (!ok) {
        ++failed, ++job_failed;
        auto kind = random() % 5;
        reason = kind < 4 ? kReasons[kind]
                          : "parse error: invalid JSON at offset " + std::to_string(random() % 600) +
                                ": incomplete JSON";
      }
      std::vector<std::string> fields = {
          pick(kGenres),
          pick(kStyles) + "; " + pick(kStyles),
          pick(kEnergy),
          pick(kMoods),
          pick(kAccessibility),
          pick(kEras),
          "A " + pick(kMoods) + " " + pick(kGenres) + " record (" + key +
              ") whose chorus and production place it squarely in its decade.",
          "Released as a single; charted in several countries; row " + key + "."};
      std::string raw = "{\"primary_genre\":" + json_string(fields[0]) + ",\"subgenres\":[" +
                        json_string(fields[1].substr(0, fields[1].find(';'))) +
                        "],\"energy\":" + json_string(fields[2]) + ",\"mood\":" + json_string(fields[3]) +
                        ",\"accessibility\":" + json_string(fields[4]) +
                        ",\"era\":" + json_string(fields[5]) + ",\"reasoning\":" + json_string(fields[6]) +
                        ",\"context\":" + json_string(fields[7]) + "}";
      if (!ok && reason.starts_with("parse error"))
        raw = "Sure! Here is what I think about " + song + ". " + fields[6];
      if (!ok && !reason.starts_with("parse error") && !reason.starts_with("/")) raw.clear();
      insert_row.bind(1, key)
          .bind(2, static_cast<std::int64_t>(i + 1))
          .bind(3, static_cast<std::int64_t>(i + 2))
          .bind(4, std::int64_t{ok ? 2 : 3});
      if (ok)
        insert_row.bind_null(5);
      else
        insert_row.bind(5, reason);
      insert_row.run();
      insert_job_row.bind(1, static_cast<std::int64_t>(job + 1))
          .bind(2, key)
          .bind(3, json_array({"Artist: " + artist + "\nSong: " + song}))
          .bind(4, json_array({artist, song, "TRUE", "Name", std::to_string(i % 97)}))
          .run();
      if (ok || !reason.starts_with("no answer")) {
        insert_call.bind(1, key)
            .bind(2, static_cast<std::int64_t>(job + 1))
            .bind(3, std::int64_t{ok ? 1 : 0})
            .bind(5, raw)
            .bind(6, submitted)
            .bind(7, ended);
        if (ok)
          insert_call.bind_null(4);
        else
          insert_call.bind(4, reason);
        insert_call.run();
        if (ok)
          insert_result.bind(1, key)
              .bind(2, json_array(fields))
              .bind(3, ended)
              .bind(4, db.last_insert_rowid())
              .run();
      }
    }
    auto name = "pipehost-bench000-" + std::to_string(100000 + job + 1).substr(1);
    insert_job.bind(1, static_cast<std::int64_t>(job + 1))
        .bind(2, name)
        .bind(3, "batches/" + name)
        .bind(4, static_cast<std::int64_t>(last - first))
        .bind(5, static_cast<std::int64_t>((last - first) * 20000))
        .bind(6, static_cast<std::int64_t>(last - first - job_failed))
        .bind(7, static_cast<std::int64_t>(job_failed))
        .bind(8, planned)
        .bind(9, submitted)
        .bind(10, ended)
        .run();
  }
  db.exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
  write(
      dir / "state/summary.json",
      R"({"run_id":"bench000","model":"gemini-flash-latest","mode":"batch","rows":{"total":)" +
          std::to_string(rows) + R"(},"tokens":{"prompt":)" + std::to_string(rows * 4100) + R"(,"output":)" +
          std::to_string(rows * 150) + R"(,"cached":0,"thoughts":0},"cost_usd":)" +
          std::to_string(rows * (4100 * 0.3 + 150 * 2.5) / 1e6 * 0.5) +
          R"(,"phase_seconds":{"scan":21.5,"model_calls":2400.0,"logger_flush":0.0,"export":30.2},"finished_at":)" +
          std::to_string(t0 + 2500) + "}\n");
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("built %llu rows (%llu failed) in %.1f s; ledger %.1f MB\n",
              static_cast<unsigned long long>(rows), static_cast<unsigned long long>(failed), seconds,
              static_cast<double>(fs::file_size(dir / "state/ledger.sqlite")) / 1e6);
  return 0;
}
