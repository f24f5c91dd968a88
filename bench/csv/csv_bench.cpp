// CSV throughput benchmark (see README.md for the commands and the measured numbers).
//
//   csv_bench generate FILE MEGABYTES   songs-shaped CSV: 8 columns, quoted fields with commas,
//                                       doubled quotes and embedded newlines
//   csv_bench read FILE                 reads FILE through the csv-io source stage (as the host does)
//   csv_bench write FILE MEGABYTES      writes that much songs-shaped CSV through the csv-io sink
//                                       (rows prepared in memory first; FILE is removed afterwards)
//
// Each command prints rows, bytes, wall and CPU seconds, MB/s (1 MB = 10^6 bytes) and the process's
// peak RSS.
// Run each command in its own process (under /usr/bin/time -v) so peak RSS belongs to one phase.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <sys/resource.h>
#include <vector>

#include "csv_sink.hpp"
#include "csv_source.hpp"
#include "csv_writer.hpp"
#include "pipehost/sdk.hpp"

namespace {

using pipehost::Row;
using Clock = std::chrono::steady_clock;

/// A HostServices that does nothing: the stages only log.
class QuietHost final : public pipehost::HostServices {
 public:
  std::shared_ptr<pipehost::HttpClient> http(const pipehost::HttpClientOptions&,
                                             pipehost::Status& status) noexcept override {
    status = pipehost::Status::fatal("no HTTP in the benchmark");
    return nullptr;
  }
  pipehost::Status secret(std::string_view, std::string&) noexcept override {
    return pipehost::Status::fatal("no secrets in the benchmark");
  }
  void log(pipehost::LogLevel, std::string_view message) noexcept override {
    std::fprintf(stderr, "log: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  void progress(std::string_view, std::int64_t) noexcept override {}
  bool sleep_for(std::chrono::milliseconds) noexcept override { return true; }
  bool cancelled() const noexcept override { return false; }
  std::string scratch_dir() const override { return std::filesystem::temp_directory_path().string(); }
  std::string state_dir() const override { return std::filesystem::temp_directory_path().string(); }
};

const std::vector<std::string> kColumns = {"artist", "song", "person", "name",
                                           "n",      "year", "genre",  "lyrics"};

/// Songs-shaped rows: about a third of the artists hold commas ("A Featuring B, C & D"), some titles
/// doubled quotes, every lyrics field commas and one to three lines.
class SongRows {
 public:
  SongRows() : random_(1958) {}

  /// Fills `row` with the next song.

  void next(Row& row) {
    static const std::vector<std::string> first = {"Toni",  "Justin", "Lustra",  "Cedric", "Mally",
                                                   "Wiz",   "Tyga",   "Billy",   "Aretha", "Stevie",
                                                   "Dolly", "Elton",  "Whitney", "Bruno"};
    static const std::vector<std::string> last = {"Basil",  "Bieber", "Gervais",  "Khalifa",
                                                  "Mall",   "Joel",   "Franklin", "Wonder",
                                                  "Parton", "John",   "Houston",  "Mars"};
    static const std::vector<std::string> names = {"Molly",   "Mickey",  "Baby",    "Scotty",
                                                   "Roxanne", "Jolene",  "Layla",   "Gloria",
                                                   "Daniel",  "Valerie", "Rosanna", "Angie"};
    static const std::vector<std::string> genres = {"pop",     "rock", "hip hop", "r&b",
                                                    "country", "soul", "dance"};
    static const std::vector<std::string> words = {"love",    "night", "baby",  "dance", "heart",
                                                   "tonight", "oh",    "yeah",  "call",  "name",
                                                   "time",    "way",   "never", "always"};
    auto pick = [&](const std::vector<std::string>& from) -> const std::string& {
      return from[random_() % from.size()];
    };
    std::vector<std::string> v(kColumns.size());
    std::string& artist = v[0];
    artist = pick(first) + " " + pick(last);
    if (random_() % 3 == 0)
      artist += " Featuring " + pick(first) + " " + pick(last) + ", " + pick(first) + " & " + pick(last);
    const std::string& name = pick(names);
    v[1] = random_() % 8 == 0 ? name + " \"" + pick(words) + "\" " + pick(words) : name;
    v[2] = random_() % 2 ? "TRUE" : "FALSE";
    v[3] = name;
    v[4] = std::to_string(1 + random_() % 120);
    v[5] = std::to_string(1958 + random_() % 62);
    v[6] = pick(genres);
    std::string& lyrics = v[7];
    lyrics.clear();
    int lines = 1 + static_cast<int>(random_() % 3);
    for (int l = 0; l < lines; ++l) {
      if (l > 0) lyrics += '\n';
      lyrics += name + ", " + pick(words) + " " + pick(words) + ", " + pick(words) + " " + pick(words) + " " +
                pick(words);
    }
    row.values.assign(v.begin(), v.end());
    row.key = std::to_string(++count_);
  }

 private:
  std::mt19937 random_;
  std::uint64_t count_ = 0;
};

rusage usage_now() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage;
}

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

/// Wall and CPU time since construction. The machine may be shared: CPU time (user + system) is what
/// one core spent, wall time includes waiting for a core.
struct Stopwatch {
  Clock::time_point wall_start = Clock::now();
  rusage usage_start = usage_now();

  void report(const char* what, std::uint64_t rows, std::uint64_t bytes) const {
    double wall = std::chrono::duration<double>(Clock::now() - wall_start).count();
    rusage usage = usage_now();
    double cpu = seconds(usage.ru_utime) - seconds(usage_start.ru_utime) + seconds(usage.ru_stime) -
                 seconds(usage_start.ru_stime);
    double megabytes = static_cast<double>(bytes) / 1e6;
    std::printf(
        "%s: %llu rows, %.1f MB; wall %.3f s = %.1f MB/s; cpu %.3f s = %.1f MB/s; peak RSS %.1f MiB\n", what,
        static_cast<unsigned long long>(rows), megabytes, wall, megabytes / wall, cpu, megabytes / cpu,
        static_cast<double>(usage.ru_maxrss) / 1024.0);  // ru_maxrss is in KiB on Linux
  }
};

void check(const pipehost::Status& status) {
  if (!status) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    std::exit(1);
  }
}

pipehost::StageContext context(QuietHost& host, const std::string& path) {
  std::string json = "{\"path\": \"" + path + "\"}";  // bench paths: no quotes or backslashes
  return pipehost::StageContext{host, json, "", "/bench"};
}

/// A stage made as the plugin's factory makes it: the config read by its spec, then the constructor.
template <class Stage, class Config>
Stage make_stage(const pipehost::ConfigSpec<Config>& spec, const pipehost::StageContext& context) {
  Config config;
  check(spec.read(context, config));
  return Stage(context, std::move(config));
}

/// 10,000 songs-shaped rows (about 2 MB as CSV), made before any timing starts, and their CSV size.
struct RowPool {
  std::vector<Row> rows;
  std::uint64_t csv_bytes = 0;

  RowPool() : rows(10000) {
    SongRows songs;
    pipehost::csv::CsvWriter writer({}, "\n");
    std::string formatted;
    std::vector<std::string> texts;
    for (Row& row : rows) {
      songs.next(row);
      formatted.clear();
      texts.clear();
      for (const auto& value : row.values) texts.push_back(value.as_string());
      writer.append_record(texts, formatted);
      csv_bytes += formatted.size();
    }
  }
};

/// Writes the pool through the csv-io sink, again and again, until `megabytes` are out. Returns
/// the rows written.
std::uint64_t write_pool(const RowPool& pool, const std::string& path, std::uint64_t megabytes) {
  QuietHost host;
  auto sink = make_stage<pipehost::csv::CsvSink>(pipehost::csv::sink_spec(), context(host, path));
  check(sink.open({kColumns.begin(), kColumns.end()}));
  std::uint64_t rows = 0;
  for (std::uint64_t bytes = 0; bytes < megabytes * 1000000; bytes += pool.csv_bytes) {
    check(sink.write(pool.rows));
    rows += pool.rows.size();
  }
  check(sink.commit());  // includes the fsync
  return rows;
}

int generate(const std::string& path, std::uint64_t megabytes) {
  RowPool pool;
  Stopwatch stopwatch;
  std::uint64_t rows = write_pool(pool, path, megabytes);
  stopwatch.report("generate", rows, std::filesystem::file_size(path));
  return 0;
}

int write(const std::string& path, std::uint64_t megabytes) {
  RowPool pool;
  Stopwatch stopwatch;
  std::uint64_t rows = write_pool(pool, path, megabytes);
  stopwatch.report("write", rows, std::filesystem::file_size(path));
  std::filesystem::remove(path);
  return 0;
}

int read(const std::string& path) {
  QuietHost host;
  auto source = make_stage<pipehost::csv::CsvSource>(pipehost::csv::source_spec(), context(host, path));
  std::vector<std::string> columns;
  std::vector<Row> batch;
  std::uint64_t rows = 0;
  Stopwatch stopwatch;
  check(source.open(columns));
  for (;;) {
    check(source.read(batch, 1000));
    if (batch.empty()) break;
    rows += batch.size();
  }
  stopwatch.report("read", rows, std::filesystem::file_size(path));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "generate") return generate(args[1], std::stoull(args[2]));
  if (args.size() == 2 && args[0] == "read") return read(args[1]);
  if (args.size() == 3 && args[0] == "write") return write(args[1], std::stoull(args[2]));
  std::fprintf(stderr, "usage: csv_bench generate FILE MEGABYTES | read FILE | write FILE MEGABYTES\n");
  return 2;
}
