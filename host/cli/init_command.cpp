#include "cli/init_command.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/exit_codes.hpp"
#include "cli/plugin_folders.hpp"
#include "config/json_text.hpp"
#include "engine/run_error.hpp"
#include "services/run_services.hpp"

namespace pipehost::cli {

namespace json = boost::json;

namespace {

/// The starter's data when no --from is given, so that `validate` and `run --dry-run` work at once.
constexpr const char* kSampleData =
    "id,text\n"
    "1,\"The delivery was two days late, but support sorted it out within the hour.\"\n"
    "2,The app crashes every time I open the settings page.\n"
    "3,Great value for the price; I would buy it again.\n";

struct CsvHeader {
  std::vector<std::string> columns;
  /// The delimiter the file uses: a comma, unless the header reads otherwise.
  std::string delimiter = ",";
};

/// The columns of `file`, read by the csv-io plugin's source (the same CSV rules as a run). A header
/// that reads as one column holding semicolons or tabs is read again with that delimiter.
CsvHeader read_csv_header(const std::filesystem::path& file, const std::vector<std::string>& plugin_dirs) {
  auto registry = load_plugin_registry(plugin_dirs, true);
  const auto* plugin = registry->find("csv-io");
  const StageDescriptor* stage = plugin ? plugin->stage(StageKind::source) : nullptr;
  if (!stage)
    throw config::ConfigError(
        "init --from reads the CSV with the csv-io plugin, which was not found; pass --plugins DIR");
  // The source never writes; its services only need somewhere to point.
  services::RunServices run(std::filesystem::temp_directory_path() / "pipehost-init",
                            std::make_shared<services::SecretRegistry>());
  services::PluginServices host(run, "source-csv-io");
  auto read_with = [&](const std::string& delimiter) {
    json::object options{{"path", file.string()}, {"delimiter", delimiter}};
    StageContext context{host, json::serialize(options), file.parent_path().string(), "--from"};
    auto source = loader::create_stage_as<Source>(*plugin, *stage, context);
    std::vector<std::string> columns;
    if (auto status = source->open(columns); !status) throw engine::InputError(status.message());
    return columns;
  };
  CsvHeader header;
  header.delimiter = file.extension() == ".tsv" ? "\t" : ",";
  header.columns = read_with(header.delimiter);
  if (header.columns.size() == 1 && header.delimiter == ",") {
    for (const char* other : {";", "\t"}) {
      if (header.columns.front().find(other) != std::string::npos) {
        header.delimiter = other;
        header.columns = read_with(other);
        break;
      }
    }
  }
  return header;
}

/// Whether prompt-template can refer to a column by name: placeholders are trimmed and cannot hold
/// braces or line breaks.
bool usable_as_placeholder(const std::string& column) {
  if (column.empty() || column.find_first_of("{}|\r\n") != std::string::npos) return false;
  return column.front() != ' ' && column.front() != '\t' && column.back() != ' ' && column.back() != '\t';
}

/// `name`, or `ai_name` (`ai_ai_name`, ...) when the input already has a column of that name.
std::string unused_name(std::string name, const std::vector<std::string>& columns) {
  while (std::find(columns.begin(), columns.end(), name) != columns.end()) name = "ai_" + name;
  return name;
}

std::string quoted(const std::string& text) {
  return json::serialize(json::value(text));
}

std::string run_json(const std::string& data_path, const std::string& delimiter,
                     const std::string& user_template, const std::string& data_name) {
  std::string delimiter_option = delimiter == "," ? "" : ", \"delimiter\": " + quoted(delimiter);
  return "// Written by `pipehost init`. Next: edit prompt.md and schema.json, then\n"
         "//   pipehost validate run.json         checks this file and reads the whole input; sends nothing\n"
         "//   pipehost run --limit 10 run.json   the first 10 rows (needs GEMINI_API_KEY); look at out/\n"
         "//   pipehost run run.json              the rest; run it again after any stop to resume\n"
         "// Relative paths are relative to this file's folder. Every key: docs/user-guide.md, or\n"
         "// `pipehost plugins NAME` for a plugin's keys.\n"
         "{\n"
         "  \"source\": {\"plugin\": \"csv-io\", \"path\": " +
         quoted(data_path) + delimiter_option +
         "},\n"
         "  \"request\": {\n"
         "    \"plugin\": \"prompt-template\",\n"
         "    // What to do with each row (prompt.md) and the shape of the answer (schema.json).\n"
         "    \"system_file\": \"prompt.md\",\n"
         "    // One {{column}} per input column: drop the ones the model does not need.\n"
         "    \"user_template\": " +
         quoted(user_template) +
         ",\n"
         "    \"response_schema_file\": \"schema.json\"\n"
         "  },\n"
         "  \"provider\": {\n"
         "    \"plugin\": \"gemini-batch\",\n"
         "    \"model\": \"gemini-flash-latest\",\n"
         "    // The API key is read from this environment variable only, never from a file.\n"
         "    \"api_key_env\": \"GEMINI_API_KEY\",\n"
         "    \"mode\": \"batch\",\n"
         "    \"batch_size\": 2000,\n"
         "    \"max_jobs_in_flight\": 4,\n"
         "    \"poll_interval_s\": 30\n"
         "  },\n"
         "  \"parser\": {\"plugin\": \"markdown-json-parser\", \"response_schema_file\": \"schema.json\"},\n"
         "  \"sinks\": [{\"plugin\": \"csv-io\", \"path\": " +
         quoted("out/" + data_name + "-results.csv") +
         "}],\n"
         "  \"loggers\": [{\"plugin\": \"jsonl-log\", \"path\": \"out/calls.jsonl\"}],\n"
         "  \"run\": {\"state_dir\": \"out/.pipehost\", \"max_attempts\": 3}\n"
         "}\n";
}

std::string prompt_md(const std::string& label, const std::string& reason, const std::string& data_name) {
  return "<!-- Written by `pipehost init`: the system instruction sent with every row of " + data_name +
         ".\n"
         "     Replace it with your task. Keep it in step with schema.json: the answer must match it. -->\n"
         "\n"
         "# Task\n"
         "\n"
         "You read one row of a table at a time: each line of the user message is a column name and its\n"
         "value. Decide the row's overall tone.\n"
         "\n"
         "Edit this section: say what the rows are, what you want decided about each one, and how to\n"
         "decide in unclear cases. Concrete definitions and one or two examples help most.\n"
         "\n"
         "# Answer\n"
         "\n"
         "Answer with one JSON object and nothing else, with exactly these keys:\n"
         "\n"
         "1. `" +
         label +
         "`: one of \"positive\", \"negative\", \"neutral\" (edit the values here and in schema.json)\n" +
         "2. `" + reason + "`: one sentence saying why\n";
}

std::string schema_json(const std::string& label, const std::string& reason) {
  return "{\n"
         "  \"type\": \"object\",\n"
         "  \"properties\": {\n"
         "    " +
         quoted(label) +
         ": {\n"
         "      \"type\": \"string\",\n"
         "      \"enum\": [\"positive\", \"negative\", \"neutral\"],\n"
         "      \"description\": \"The row's overall tone. Replace the values with your own categories.\"\n"
         "    },\n"
         "    " +
         quoted(reason) +
         ": {\n"
         "      \"type\": \"string\",\n"
         "      \"description\": \"One sentence: why this label.\"\n"
         "    }\n"
         "  },\n"
         "  \"required\": [" +
         quoted(label) + ", " + quoted(reason) +
         "]\n"
         "}\n";
}

/// `target` as written in a config in `dir`: relative to it when the two share a folder below the
/// root (so the pair can be moved together), absolute otherwise.
std::string path_from(const std::filesystem::path& dir, const std::filesystem::path& target) {
  auto absolute_target = std::filesystem::weakly_canonical(std::filesystem::absolute(target));
  auto absolute_dir = std::filesystem::weakly_canonical(std::filesystem::absolute(dir));
  auto first_folder = [](const std::filesystem::path& p) {
    auto it = p.begin();
    return std::next(it) == p.end() ? std::filesystem::path() : *std::next(it);
  };
  if (first_folder(absolute_target) != first_folder(absolute_dir)) return absolute_target.string();
  return absolute_target.lexically_relative(absolute_dir).generic_string();
}

std::string from_name(const std::string& from) {
  return std::filesystem::path(from).filename().string();
}

}  // namespace

int init_command(const CliOptions& options) {
  const std::filesystem::path dir = options.init_dir.empty() ? "." : options.init_dir;
  std::vector<std::pair<std::filesystem::path, std::string>> files;

  std::string data_path = "data.csv", delimiter = ",", data_name = "data";
  std::vector<std::string> columns = {"id", "text"};
  if (!options.from.empty()) {
    const std::filesystem::path from = options.from;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(from, ec))
      throw engine::InputError("init --from " + options.from + ": no such file");
    auto header = read_csv_header(std::filesystem::absolute(from), options.plugin_dirs);
    columns = header.columns;
    delimiter = header.delimiter;
    data_path = path_from(dir, from);
    data_name = from.stem().string();
  }

  std::string user_template;
  std::vector<std::string> skipped;
  for (const auto& column : columns) {
    if (!usable_as_placeholder(column)) {
      skipped.push_back(quoted(column));
      continue;
    }
    user_template += (user_template.empty() ? "" : "\n") + column + ": {{" + column + "}}";
  }
  if (user_template.empty())
    throw engine::InputError(
        "init --from " + options.from +
        ": no column can be a {{placeholder}} (names cannot be empty, hold braces, | or line "
        "breaks, or start or end with a space)");
  if (!skipped.empty()) {
    std::string list;
    for (const auto& s : skipped) list += (list.empty() ? "" : ", ") + s;
    spdlog::warn("left out of the template (a placeholder cannot name them): {}", list);
  }

  const std::string label = unused_name("label", columns), reason = unused_name("reason", columns);
  files.emplace_back(dir / "run.json", run_json(data_path, delimiter, user_template, data_name));
  files.emplace_back(dir / "prompt.md",
                     prompt_md(label, reason, options.from.empty() ? "data.csv" : from_name(options.from)));
  files.emplace_back(dir / "schema.json", schema_json(label, reason));
  if (options.from.empty()) files.emplace_back(dir / "data.csv", kSampleData);

  // Refuse before writing anything, so a refused init leaves the folder as it was.
  for (const auto& [path, text] : files) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
      throw config::ConfigError(
          path.string() +
          " already exists; init never overwrites a file (move it away, or init another folder)");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw config::ConfigError("cannot create " + dir.string() + ": " + ec.message());
  for (const auto& [path, text] : files) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw engine::RunError("cannot write " + path.string());
    std::cout << "wrote " << path.string() << "\n";
  }
  auto config = (dir / "run.json").string();
  std::cout << "\nNext: edit " << (dir / "prompt.md").string() << " and " << (dir / "schema.json").string()
            << ", then\n"
            << "  pipehost validate " << config << "\n"
            << "  GEMINI_API_KEY=... pipehost run --limit 10 " << config << "\n";
  return kExitOk;
}

}  // namespace pipehost::cli
