#include "report/gather_report.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <boost/json.hpp>

#include "ledger/ledger_reader.hpp"
#include "report/html_text.hpp"
#include "report/response_shape.hpp"
#include "report/value_stats.hpp"

#ifndef PIPEHOST_VERSION
#define PIPEHOST_VERSION "0.0.0"
#endif

namespace pipehost::report {

namespace json = boost::json;

namespace {

/// Failure reasons are grouped by their first bytes (as summary.json does); past this many groups
/// the rest are counted together.
constexpr std::size_t kReasonBytes = 200;
constexpr std::size_t kMaxReasonGroups = 10000;
constexpr const char* kOtherReasons = "(other reasons)";

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Every numeric member of `object` (nested objects as "outer.inner"), in order.
void collect_figures(const json::object& object, const std::string& prefix, std::vector<Figure>& out) {
  for (const auto& [name, value] : object) {
    std::string full = prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
    if (value.is_number())
      out.push_back({full, value.to_number<double>()});
    else if (value.is_object())
      collect_figures(value.get_object(), full, out);
  }
}

std::optional<json::object> read_summary(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  auto value = json::parse(text.str(), ec);
  if (ec || !value.is_object()) return std::nullopt;
  return value.get_object();
}

void apply_summary(const json::object& summary, ReportData& data) {
  if (const auto* v = summary.if_contains("cost_usd"); v && v->is_number())
    data.cost_usd = v->to_number<double>();
  if (const auto* v = summary.if_contains("cost"); v && v->is_object()) {
    collect_figures(v->get_object(), "", data.cost);
    if (!data.cost_usd)
      for (const char* total : {"total_usd", "total"})
        if (const auto* t = v->get_object().if_contains(total); t && t->is_number()) {
          data.cost_usd = t->to_number<double>();
          break;
        }
  }
  if (const auto* v = summary.if_contains("tokens"); v && v->is_object())
    collect_figures(v->get_object(), "", data.tokens);
  if (const auto* v = summary.if_contains("phase_seconds"); v && v->is_object()) {
    collect_figures(v->get_object(), "", data.phases);
    double wall = 0;
    for (const auto& p : data.phases) wall += p.value;
    data.wall_seconds = wall;
  }
  if (const auto* v = summary.if_contains("job_seconds"); v && v->is_object())
    collect_figures(v->get_object(), "", data.job_stages);
  auto text = [&](const char* key) {
    const auto* v = summary.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  if (data.model.empty()) data.model = text("model");
  if (data.mode.empty()) data.mode = text("mode");
  if (const auto* v = summary.if_contains("finished_at"); v && v->is_number())
    data.notes.push_back("Cost, tokens and phases are those of summary.json, written " +
                         format_time(v->to_number<double>()) + " at the end of the last run or export.");
}

/// Counts the answers of one output column.
class ColumnCounter {
 public:
  ColumnCounter(ColumnShape shape, const std::string& separator, std::size_t top_capacity)
      : shape_(std::move(shape)), separator_(separator) {
    if (shape_.kind == ChartKind::categories || shape_.kind == ChartKind::split)
      categories_.emplace(shape_.values);
    if (shape_.kind == ChartKind::histogram) numbers_.emplace(shape_.integers);
    if (shape_.kind == ChartKind::top_values) top_.emplace(top_capacity);
  }

  void add(std::string_view value) {
    if (value.empty()) {
      ++empty_;
      return;
    }
    ++answered_;
    if (shape_.list && !separator_.empty()) {
      std::size_t start = 0;
      while (true) {
        auto end = value.find(separator_, start);
        add_one(value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + separator_.size();
      }
    } else {
      add_one(value);
    }
  }

  PropertySummary summary(std::size_t top_n) const {
    PropertySummary p;
    p.name = shape_.name;
    p.type = shape_.type;
    p.kind = shape_.kind;
    p.answered = answered_;
    p.empty = empty_;
    if (categories_) p.counts = categories_->counts();
    if (numbers_) {
      p.bins = numbers_->bins();
      p.not_numbers = not_numbers_;
      p.min = numbers_->min();
      p.max = numbers_->max();
      p.mean = numbers_->mean();
    }
    if (top_) {
      p.counts = top_->top(top_n);
      p.distinct = top_->distinct();
      p.approximate = top_->approximate();
    }
    return p;
  }

 private:
  void add_one(std::string_view value) {
    if (categories_) categories_->add(value);
    if (top_) top_->add(value);
    if (numbers_) {
      double number = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (error == std::errc() && end == value.data() + value.size())
        numbers_->add(number);
      else
        ++not_numbers_;
    }
  }

  ColumnShape shape_;
  std::string separator_;
  std::optional<CategoryCounter> categories_;
  std::optional<NumberHistogram> numbers_;
  std::optional<TopValues> top_;
  std::uint64_t answered_ = 0;
  std::uint64_t empty_ = 0;
  std::uint64_t not_numbers_ = 0;
};

void gather_properties(ledger::LedgerReader& reader, const ReportInputs& inputs, const ReportLimits& limits,
                       ReportData& data) {
  std::vector<ColumnCounter> columns;
  for (auto& shape : column_shapes(inputs.response_schema_json, inputs.output_columns))
    columns.emplace_back(std::move(shape), inputs.list_separator, 2048);
  if (columns.empty()) return;
  // Each row's fields are a small JSON array of strings: parsed in a stack buffer, no heap per row.
  unsigned char buffer[16384];
  reader.for_each_done_fields([&](std::string_view text) {
    json::monotonic_resource memory(buffer, sizeof buffer);
    std::error_code ec;
    auto fields = json::parse(text, ec, &memory);
    if (ec || !fields.is_array()) return;
    const auto& array = fields.get_array();
    // Fields are typed: arrays are counted item by item (the counter splits joined text), numbers and
    // booleans by their JSON text.
    std::string joined;
    for (std::size_t i = 0; i < columns.size() && i < array.size(); ++i) {
      const auto& field = array[i];
      if (field.is_string()) {
        columns[i].add(field.get_string());
      } else if (field.is_array()) {
        joined.clear();
        for (const auto& item : field.get_array()) {
          if (!joined.empty()) joined += inputs.list_separator;
          joined += item.is_string() ? std::string(item.get_string()) : json::serialize(item);
        }
        columns[i].add(joined);
      } else if (!field.is_null()) {
        columns[i].add(json::serialize(field));
      }
    }
  });
  for (const auto& c : columns) data.properties.push_back(c.summary(limits.top_values));
}

void gather_failures(ledger::LedgerReader& reader, const ReportInputs& inputs, const ReportLimits& limits,
                     ReportData& data) {
  struct Group {
    std::uint64_t count = 0;
    std::uint64_t first = 0;
    std::vector<std::string> keys;
  };
  std::unordered_map<std::string, Group> groups;
  std::uint64_t seen = 0;
  reader.for_each_failure([&](const std::string& key, const std::string& reason) {
    std::string group_reason(utf8_prefix(reason, kReasonBytes));
    if (group_reason.empty()) group_reason = "(no reason recorded)";
    if (!groups.count(group_reason) && groups.size() >= kMaxReasonGroups) group_reason = kOtherReasons;
    auto& g = groups[group_reason];
    if (g.count++ == 0) g.first = seen;
    if (g.keys.size() < limits.examples_per_group) g.keys.push_back(key);
    ++seen;
  });
  data.failure_groups_total = groups.size();
  std::vector<std::pair<std::string, Group>> sorted(std::make_move_iterator(groups.begin()),
                                                    std::make_move_iterator(groups.end()));
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.count != b.second.count ? a.second.count > b.second.count
                                            : a.second.first < b.second.first;
  });
  if (sorted.size() > limits.failure_groups) sorted.resize(limits.failure_groups);
  std::vector<std::string> keys;
  for (const auto& [reason, g] : sorted) keys.insert(keys.end(), g.keys.begin(), g.keys.end());
  auto inputs_by_key = reader.input_values(keys);
  for (auto& [reason, g] : sorted) {
    FailureGroup group;
    group.reason = reason;
    group.count = g.count;
    for (const auto& key : g.keys) {
      FailureExample example;
      example.key = key;
      if (auto it = inputs_by_key.find(key); it != inputs_by_key.end()) {
        for (std::size_t c = 0;
             c < it->second.size() && c < inputs.input_columns.size() && c < limits.example_inputs; ++c)
          example.inputs.emplace_back(inputs.input_columns[c], it->second[c].to_text());
      }
      if (auto call = reader.last_call(key)) example.answer = cut_chars(call->raw_text, limits.answer_chars);
      group.examples.push_back(std::move(example));
    }
    data.failures.push_back(std::move(group));
  }
}

bool ended(ledger::JobState state) {
  using enum ledger::JobState;
  for (auto s : {fetched, succeeded, failed, expired, cancelled, discarded, not_ours})
    if (state == s) return true;
  return false;
}

void gather_jobs(ledger::LedgerReader& reader, const ReportLimits& limits, ReportData& data) {
  auto jobs = reader.jobs();
  data.jobs_total = jobs.size();
  // The latest jobs: those of the last runs matter most when a run was resumed many times.
  std::size_t first = jobs.size() > limits.timeline_jobs ? jobs.size() - limits.timeline_jobs : 0;
  for (std::size_t i = first; i < jobs.size(); ++i) {
    const auto& j = jobs[i];
    data.jobs.push_back({j.job.display_name, ledger::to_string(j.job.state), j.job.row_count, j.job.succeeded,
                         j.job.failed, j.job.created_at, j.job.submitted_at, j.updated_at,
                         ended(j.job.state)});
  }
}

}  // namespace

std::string pipehost_version() {
  return PIPEHOST_VERSION;
}

ReportData gather_report(const ReportInputs& inputs, const ReportLimits& limits) {
  ledger::LedgerReader reader(inputs.ledger_file);
  ReportData data;
  std::filesystem::path config(inputs.config_file);
  data.title = config.parent_path().filename().string();
  if (!data.title.empty()) data.title += "/";
  data.title += config.filename().string();
  data.run_id = reader.meta("run_id");
  data.config_file = inputs.config_file;
  data.generated_at = format_time(unix_now());
  data.provider = inputs.provider;
  data.model = inputs.model;
  data.mode = inputs.mode;
  data.prices = inputs.prices;

  auto counts = reader.counts();
  auto state = [&](const char* name) {
    auto it = counts.rows_by_state.find(name);
    return it == counts.rows_by_state.end() ? std::uint64_t{0} : it->second;
  };
  data.rows_total = counts.total_rows;
  data.rows_ok = state("done");
  data.rows_failed = state("failed");
  data.rows_pending = state("pending") + state("submitted");

  if (auto summary = read_summary(inputs.summary_file)) {
    apply_summary(*summary, data);
  } else {
    data.notes.push_back("No summary.json yet (" + inputs.summary_file.string() +
                         "): the run has not finished once, so cost and phases are not known; tokens are the "
                         "ledger's.");
  }
  if (data.tokens.empty())
    data.tokens = {{"input", static_cast<double>(counts.tokens.input)},
                   {"cached_input", static_cast<double>(counts.tokens.cached_input)},
                   {"cache_write", static_cast<double>(counts.tokens.cache_write)},
                   {"output", static_cast<double>(counts.tokens.output)},
                   {"thinking", static_cast<double>(counts.tokens.thinking)}};

  gather_properties(reader, inputs, limits, data);
  gather_failures(reader, inputs, limits, data);
  gather_jobs(reader, limits, data);

  data.details = {
      {"run id", data.run_id},
      {"config", inputs.config_file},
      {"config fingerprint", reader.meta("config_fingerprint")},
      {"parser fingerprint", reader.meta("parser_fingerprint")},
      {"pipehost", pipehost_version()},
      {"plugins", reader.meta("plugins")},
      {"ledger", inputs.ledger_file.string() + " (schema version " + reader.meta("schema_version") + ")"}};
  if (auto created = reader.meta("created_at"); !created.empty())
    data.details.emplace_back("ledger created", format_time(std::strtod(created.c_str(), nullptr)));
  return data;
}

}  // namespace pipehost::report
