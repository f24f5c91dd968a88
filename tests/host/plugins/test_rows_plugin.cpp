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

// Tiny config readers: the host has validated the JSON against the schema, and this plugin must not
// depend on a JSON library, so a key lookup in the compact text is enough.
std::string raw_value(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return {};
  auto start = at + key.size() + 3;
  auto end = json.find_first_of(",}", start);
  if (json[start] == '"') end = json.find('"', start + 1) + 1;
  return json.substr(start, end - start);
}

std::string unquote(std::string s) { return s.size() >= 2 && s.front() == '"' ? s.substr(1, s.size() - 2) : s; }

class GeneratedRows final : public pipehost::Source {
 public:
  explicit GeneratedRows(const pipehost::StageContext& context) {
    if (raw_value(context.config_json, "explode_on_create") == "true")
      throw std::runtime_error("asked to explode on create");
    auto rows = raw_value(context.config_json, "rows");
    total_ = rows.empty() ? 10 : std::stoull(rows);
  }
  pipehost::Status open(std::vector<std::string>& columns) override {
    columns = {"id", "text"};
    next_ = 1;
    return pipehost::Status::ok();
  }
  pipehost::Status read(std::vector<pipehost::Row>& batch, std::size_t max_rows) override {
    batch.clear();
    while (batch.size() < max_rows && next_ <= total_) {
      batch.push_back({std::to_string(next_), {std::to_string(next_), "row " + std::to_string(next_)}, next_ + 1});
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
  explicit RecordingSink(const pipehost::StageContext& context)
      : path_(unquote(raw_value(context.config_json, "path"))) {}
  ~RecordingSink() override {
    if (!committed_) std::remove((path_ + ".tmp").c_str());
  }
  pipehost::Status open(const std::vector<std::string>& columns) override {
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    out_.open(path_ + ".tmp", std::ios::binary | std::ios::trunc);
    if (!out_) return pipehost::Status::fatal("cannot write " + path_);
    for (std::size_t i = 0; i < columns.size(); ++i) out_ << (i ? "\t" : "") << columns[i];
    out_ << "\n";
    return pipehost::Status::ok();
  }
  pipehost::Status write(const std::vector<pipehost::Row>& rows) override {
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.values.size(); ++i) out_ << (i ? "\t" : "") << row.values[i];
      out_ << "\n";
    }
    return pipehost::Status::ok();
  }
  pipehost::Status commit() override {
    out_.close();
    if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) return pipehost::Status::fatal("rename failed");
    committed_ = true;
    return pipehost::Status::ok();
  }

 private:
  std::string path_;
  std::ofstream out_;
  bool committed_ = false;
};

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{TEST_ROWS_PLUGIN_NAME, "1.2.3", "Generated rows and a recording sink (tests)"};
  plugin.add<GeneratedRows>(R"({"type": "object", "additionalProperties": false,
      "properties": {"rows": {"type": "integer", "minimum": 0, "description": "how many rows"},
                     "explode_on_create": {"type": "boolean"},
                     "path": {"type": "string", "format": "path", "description": "an input file, never read"}}})",
                            "Generates rows id=1..N");
  plugin.add<RecordingSink>(R"({"type": "object", "additionalProperties": false, "required": ["path"],
      "properties": {"path": {"type": "string", "format": "path"}}})",
                            "Records rows as tab-separated lines");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
