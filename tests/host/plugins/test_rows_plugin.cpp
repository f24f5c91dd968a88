// Test plugin "test-rows": a source that generates rows and a sink that records them in a text
// file, so the host's plumbing can be tested without any real format plugin.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pipehost/sdk.hpp"

#ifndef TEST_ROWS_PLUGIN_NAME
#define TEST_ROWS_PLUGIN_NAME "test-rows"
#endif

namespace {

struct RowsConfig {
  std::int64_t rows = 10;
  bool explode_on_create = false;
  std::string path;
};

pipehost::ConfigSpec<RowsConfig> rows_spec() {
  pipehost::ConfigSpec<RowsConfig> spec;
  spec.add("rows", &RowsConfig::rows, "how many rows").minimum(0);
  spec.add("explode_on_create", &RowsConfig::explode_on_create);
  spec.add("path", &RowsConfig::path, "an input file, never read").path();
  return spec;
}

struct SinkConfig {
  std::string path;
};

pipehost::ConfigSpec<SinkConfig> sink_spec() {
  pipehost::ConfigSpec<SinkConfig> spec;
  spec.add("path", &SinkConfig::path).required().path();
  return spec;
}

class GeneratedRows final : public pipehost::Source {
 public:
  GeneratedRows(const pipehost::StageContext&, RowsConfig config)
      : total_(static_cast<std::uint64_t>(config.rows)) {
    if (config.explode_on_create) throw std::runtime_error("asked to explode on create");
  }
  pipehost::Status open(std::vector<std::string>& columns) override {
    columns = {"id", "text"};
    next_ = 1;
    return pipehost::Status::ok();
  }
  pipehost::Status read(std::vector<pipehost::Row>& batch, std::size_t max_rows) override {
    batch.clear();
    while (batch.size() < max_rows && next_ <= total_) {
      batch.push_back(
          {std::to_string(next_), {std::to_string(next_), "row " + std::to_string(next_)}, next_ + 1});
      ++next_;
    }
    return pipehost::Status::ok();
  }

 private:
  std::uint64_t total_ = 0;
  std::uint64_t next_ = 1;
};

class RecordingSink final : public pipehost::Sink {
 public:
  RecordingSink(const pipehost::StageContext&, SinkConfig config) : path_(std::move(config.path)) {}
  ~RecordingSink() override {
    if (!committed_) std::remove((path_ + ".tmp").c_str());
  }
  pipehost::Status open(const std::vector<pipehost::Column>& columns) override {
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    out_.open(path_ + ".tmp", std::ios::binary | std::ios::trunc);
    if (!out_) return pipehost::Status::fatal("cannot write " + path_);
    for (std::size_t i = 0; i < columns.size(); ++i) out_ << (i ? "\t" : "") << columns[i].name;
    out_ << "\n";
    return pipehost::Status::ok();
  }
  pipehost::Status write(const std::vector<pipehost::Row>& rows) override {
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.values.size(); ++i) out_ << (i ? "\t" : "") << row.values[i].to_text();
      out_ << "\n";
    }
    return pipehost::Status::ok();
  }
  pipehost::Status commit() override {
    out_.close();
    if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0)
      return pipehost::Status::fatal("rename failed");
    committed_ = true;
    return pipehost::Status::ok();
  }

 private:
  std::string path_;
  std::ofstream out_;
  bool committed_ = false;
};

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{TEST_ROWS_PLUGIN_NAME, "1.2.3",
                                    "Generated rows and a recording sink (tests)"};
  plugin.add<GeneratedRows>(rows_spec(), "Generates rows id=1..N");
  plugin.add<RecordingSink>(sink_spec(), "Records rows as tab-separated lines");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
