#include "pipeline_fixture.hpp"

#include <fstream>
#include <set>

#include <boost/json.hpp>

#include "pipehost_job.hpp"
#include "plugin_library.hpp"

namespace pipehost::test {

namespace json = boost::json;

const std::string& CsvTable::at(std::size_t i, const std::string& column) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == column) return rows.at(i).values.at(c).as_string();
  throw std::runtime_error("no column " + column);
}

CsvTable read_csv(const std::string& path) {
  static PluginLibrary csv("csv-io");
  TestHost host;
  StageContext context{host, json::serialize(json::object{{"path", path}}), "", "/source"};
  auto source = csv.create<Source>(context);
  CsvTable table;
  if (auto s = source->open(table.columns); !s) throw std::runtime_error(s.message());
  std::vector<Row> batch;
  while (true) {
    if (auto s = source->read(batch, 1024); !s) throw std::runtime_error(s.message());
    if (batch.empty()) break;
    table.rows.insert(table.rows.end(), batch.begin(), batch.end());
  }
  return table;
}

void write_songs_csv(const std::string& path, int rows) {
  static const char* artists[] = {"Toni Basil", "Ben E. King",
                                  "Tyga Featuring Cedric Gervais, Wiz Khalifa & Mally Mall",
                                  "The \"Real\" Band", "Dolly Parton"};
  static const char* names[] = {"Mickey", "Molly", "Jolene", "Roxanne", "Gloria"};
  std::ofstream out(path, std::ios::binary);
  out << "\"artist\",\"song\",\"person\",\"name\",\"n\"\n";
  for (int i = 1; i <= rows; ++i) {
    std::string artist = artists[i % 5];
    std::string quoted;
    for (char c : artist) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    out << "\"" << quoted << "\",\"Song number " << i << "\"," << (i % 3 ? "TRUE" : "FALSE") << ",\""
        << names[i % 5] << "\"," << (i % 97) << "\n";
  }
}

void PipelineTest::start(int rows, const std::string& faults, const std::string& provider_extra,
                         const std::string& run_extra) {
  rows_ = rows;
  EmulatorOptions options = emulator_options_;
  options.faults = faults;
  options.gemini_key = kGeminiKey;
  emulator_ = std::make_unique<EmulatorProcess>(options);
  write_songs_csv(dir_.file("songs.csv"), rows);
  write_config(provider_extra, run_extra);
}

void PipelineTest::write_config(const std::string& provider_extra, const std::string& run_extra,
                                const std::string& prompt_file) {
  std::string examples = std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/";
  std::string prompt = prompt_file.empty() ? examples + "prompt.md" : prompt_file;
  std::string schema = schema_file_.empty() ? examples + "schema.json" : schema_file_;
  write_file(
      dir_.file("run.json"), R"({
    "source": {"plugin": "csv-io", "path": "songs.csv"},
    "request": {"plugin": "prompt-template", "system_file": ")" +
                                 prompt + R"(",
                "user_template": "Artist: {{artist}}\nSong: {{song}}",
                "response_schema_file": ")" +
                                 schema + R"(", "tools": ["web_search"]},
    "provider": {"plugin": "gemini-batch", "model": "gemini-flash-latest", "api_key_env": "GEMINI_API_KEY",
                 "base_url": ")" +
                                 emulator_->base_url() + R"(", "ca_file": ")" + emulator_->ca_file() + R"(",
                 "batch_size": 300, "max_jobs_in_flight": 3, "poll_interval_s": 0.05,
                 "retry_backoff_s": 0.05)" +
                                 provider_extra + R"(},
    "parser": {"plugin": "markdown-json-parser", "response_schema_file": ")" +
                                 schema + "\"" + parser_extra_ + R"(},
    "sinks": [{"plugin": "csv-io", "path": "out.csv"}],)" +
                                 (loggers_json_.empty() ? "" : "\"loggers\": [" + loggers_json_ + "],") +
                                 R"(
    "run": {"max_attempts": 3)" + run_extra +
                                 R"(}
  })");
}

std::vector<std::string> PipelineTest::command(const std::vector<std::string>& args,
                                               const std::string& state) const {
  return pipehost_job_command(dir_, log_level_, args, state);
}

ProcessResult PipelineTest::pipehost(const std::vector<std::string>& args, const std::string& state) {
  ProcessOptions options;
  options.env = env_;
  options.env["GEMINI_API_KEY"] = kGeminiKey;
  options.timeout = std::chrono::minutes(3);
  return run_process(command(args, state), options);
}

pid_t PipelineTest::spawn_run(const std::string& state, const std::string& stderr_path,
                              const std::vector<std::string>& args) {
  std::vector<std::string> run_args = {"run"};
  run_args.insert(run_args.end(), args.begin(), args.end());
  auto env = env_;
  env["GEMINI_API_KEY"] = kGeminiKey;
  return spawn_process(command(run_args, state), env, stderr_path);
}

std::string PipelineTest::output_path(const std::string& state) const {
  return pipehost_job_output(dir_, state);
}

json::object PipelineTest::stats() const {
  return json::parse(emulator_->stats_json()).as_object();
}

std::map<std::string, std::vector<std::string>> PipelineTest::keys_by_batch(
    const std::string& name_prefix) const {
  std::map<std::string, std::vector<std::string>> out;
  std::string token;
  do {
    auto reply = emulator_->request(
        "GET", "/v1beta/batches?pageSize=100" + (token.empty() ? "" : "&pageToken=" + token), {},
        {{"x-goog-api-key", kGeminiKey}});
    auto page = json::parse(reply.body).as_object();
    if (auto* ops = page.if_contains("operations")) {
      for (const auto& op : ops->as_array()) {
        const auto& meta = op.at("metadata").as_object();
        std::string name(meta.at("displayName").as_string());
        if (!name.starts_with(name_prefix)) continue;
        std::string file(meta.at("inputConfig").at("fileName").as_string());  // files/<id>
        std::ifstream in(emulator_->state_dir() + "/files/" + file.substr(6) + ".bin", std::ios::binary);
        std::string line;
        auto& keys = out[name];
        while (std::getline(in, line))
          if (!line.empty()) keys.emplace_back(json::parse(line).at("key").as_string());
      }
    }
    token = page.contains("nextPageToken") ? std::string(page.at("nextPageToken").as_string()) : "";
  } while (!token.empty());
  return out;
}

std::size_t PipelineTest::expect_complete_output(const std::string& state) {
  auto input = read_csv(dir_.file("songs.csv"));
  auto output = read_csv(output_path(state));
  EXPECT_EQ(output.columns.size(), input.columns.size() + 10);
  EXPECT_EQ(output.rows.size(), input.rows.size()) << "every input row exactly once";
  std::size_t ok = 0;
  for (std::size_t i = 0; i < std::min(input.rows.size(), output.rows.size()); ++i) {
    EXPECT_EQ(output.at(i, "song"), input.at(i, "song")) << "row " << i + 1 << " out of order";
    const auto& status = output.at(i, "_status");
    if (status == "ok")
      ++ok;
    else
      EXPECT_EQ(status, "failed") << "row " << i + 1 << ": " << output.at(i, "_error");
  }
  return ok;
}

void PipelineTest::expect_no_double_creates() const {
  auto creates = stats().at("batch_creates_by_display_name").as_object();
  for (const auto& [name, n] : creates) EXPECT_EQ(n.as_int64(), 1) << name << " was created more than once";
  for (const auto& [name, keys] : keys_by_batch()) {
    std::set<std::string> distinct(keys.begin(), keys.end());
    EXPECT_EQ(distinct.size(), keys.size()) << name << " holds a row twice";
  }
}

}  // namespace pipehost::test
