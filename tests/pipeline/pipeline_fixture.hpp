// Shared set-up for pipeline tests: a songs-shaped input, a run.json pointing at a fresh emulator,
// pipehost run as a child process, and outputs and emulator accounting read back.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include <boost/json/object.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "pipehost/types.hpp"
#include "process.hpp"
#include "test_host.hpp"

namespace pipehost::test {

inline constexpr const char* kGeminiKey = "pipeline-test-gemini-key-5b1f";

/// A CSV file read back through the csv-io plugin.
struct CsvTable {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  /// Value of `column` in row `i`.
  const std::string& at(std::size_t i, const std::string& column) const;
};

CsvTable read_csv(const std::string& path);

/// Writes `rows` songs-like rows (artist, song, person, name, n), some with commas and quotes.
void write_songs_csv(const std::string& path, int rows);

class PipelineTest : public ::testing::Test {
 protected:
  /// Starts the emulator with `faults`, writes songs.csv (`rows` rows) and run.json.
  void start(int rows, const std::string& faults, const std::string& provider_extra = "",
             const std::string& run_extra = "");
  /// (Re)writes run.json; `prompt_file` defaults to examples/songs/prompt.md.
  void write_config(const std::string& provider_extra, const std::string& run_extra,
                    const std::string& prompt_file = "");
  /// The pipehost command line for a run with its state (ledger, output) under `state`.
  std::vector<std::string> command(const std::vector<std::string>& args,
                                   const std::string& state = "state") const;
  ProcessResult pipehost(const std::vector<std::string>& args, const std::string& state = "state");
  /// Starts `pipehost run` without waiting; returns its pid. Its stderr goes to `stderr_path` (appended)
  /// when given, else to /dev/null; `args` are added after "run".
  pid_t spawn_run(const std::string& state = "state", const std::string& stderr_path = "",
                  const std::vector<std::string>& args = {});
  std::string output_path(const std::string& state = "state") const;
  boost::json::object stats() const;
  /// Keys of the rows in each batch the emulator created, by display name (only names starting with
  /// `name_prefix`, e.g. "pipehost-<run id>-" for one run's batches).
  std::map<std::string, std::vector<std::string>> keys_by_batch(const std::string& name_prefix = "") const;
  /// Checks the output has every input row once, in input order; returns how many are ok.
  std::size_t expect_complete_output(const std::string& state = "state");
  /// Checks no display name was created twice and every created batch holds distinct rows.
  void expect_no_double_creates() const;

  TempDir dir_;
  std::unique_ptr<EmulatorProcess> emulator_;
  int rows_ = 0;
  /// Set before start(): the emulator's options (start() sets faults and the Gemini key).
  EmulatorOptions emulator_options_;
  /// Set before write_config(): the members of the "loggers" array (JSON text), none when empty.
  std::string loggers_json_;
  /// Extra environment of every pipehost process (e.g. BRAINTRUST_API_KEY).
  std::map<std::string, std::string> env_;
  /// --log-level of every pipehost process.
  std::string log_level_ = "warn";
  /// Set before write_config(): the response schema file of request and parser (default: the songs
  /// example's), and extra members of the parser section (JSON text starting with a comma).
  std::string schema_file_;
  std::string parser_extra_;
};

}  // namespace pipehost::test
