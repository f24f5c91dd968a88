#include "engine/model_run.hpp"

#include <fstream>
#include <map>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "engine/cost.hpp"
#include "engine/duplicate_keys.hpp"
#include "engine/fingerprint.hpp"
#include "engine/model_run_impl.hpp"
#include "engine/remote_start.hpp"
#include "engine/request_template.hpp"
#include "engine/run_error.hpp"
#include "engine/run_report.hpp"
#include "engine/watchdog.hpp"

namespace pipehost::engine {

namespace json = boost::json;

namespace {

constexpr std::size_t kRowsPerRead = 1024;
/// Output tokens per row assumed by --dry-run before any row is done.
constexpr std::int64_t kAssumedOutputTokens = 400;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string status_of(ledger::RowState state) {
  switch (state) {
    case ledger::RowState::done:
      return "ok";
    case ledger::RowState::failed:
      return "failed";
    default:
      return "pending";
  }
}

}  // namespace

std::filesystem::path ledger_path(const config::RunConfig& config) {
  return config.settings.state_dir / "ledger.sqlite";
}

ModelRun::ModelRun(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
                   const RunOptions& options)
    : config_(config), pipeline_(pipeline), run_(run), options_(options), settings_(config.settings) {}

ModelRun::~ModelRun() {
  // Workers must never outlive the run (they use its members). They are joined already unless an
  // error is unwinding the run: then stop them first.
  bool workers_left;
  {
    std::lock_guard lock(workers_mutex_);
    workers_left = !workers_.empty();
  }
  if (workers_left) {
    aborting_ = true;
    run_.cancel();
    wait_for_workers();
  }
}

void ModelRun::open_ledger() {
  if (options_.dry_run) {
    // A dry run works on a private copy: whatever it settles or plans, the real ledger never changes.
    ledger_ = ledger::RunLedger::scratch_copy_of(ledger_path(config_));
    return;
  }
  std::filesystem::create_directories(settings_.state_dir);
  ledger_ = std::make_unique<ledger::RunLedger>(ledger_path(config_));
  ledger_->set_meta("config_file", config_.file.string());
  std::string plugins;
  for (const auto* p : {pipeline_.source.plugin, pipeline_.request ? pipeline_.request->plugin : nullptr,
                        pipeline_.provider ? pipeline_.provider->plugin : nullptr,
                        pipeline_.parser ? pipeline_.parser->plugin : nullptr}) {
    if (p) plugins += (plugins.empty() ? "" : ", ") + p->name() + " " + p->descriptor->version;
  }
  ledger_->set_meta("plugins", plugins);
}

void ModelRun::open_stages() {
  check_input(pipeline_.source->open(columns_), pipeline_.source.label());
  if (pipeline_.request) {
    auto bound = (*pipeline_.request)->bind(columns_);
    if (!bound)
      throw config::ConfigError(config_.file.string() + ": " + pipeline_.request->pointer + ": " +
                                bound.message());
    check((*pipeline_.parser)->columns(ai_columns_), pipeline_.parser->label());
    check((*pipeline_.provider)->capabilities(capabilities_), pipeline_.provider->label());
    ModelInfo info;
    check((*pipeline_.provider)->model(info), pipeline_.provider->label());
    pricing_ = Pricing::from(info, settings_);
    if (ledger_) ledger_->set_meta("pricing", pricing_.to_json());
  }
}

void ModelRun::for_each_source_row(const std::function<void(Row&, std::uint64_t)>& visit) {
  std::vector<std::string> columns;
  check(pipeline_.source->open(columns), pipeline_.source.label());
  if (columns != columns_)
    throw InputError(pipeline_.source.label() + ": the input's columns changed during the run");
  RepeatedKeyNames names;
  std::uint64_t ordinal = 0;
  std::vector<Row> batch;
  while (true) {
    if (stopping()) return;
    check(pipeline_.source->read(batch, kRowsPerRead), pipeline_.source.label());
    if (batch.empty()) return;
    for (auto& row : batch) {
      ++ordinal;
      if (!duplicate_keys_.empty() && duplicate_keys_.count(row.key)) row.key = names.next(row.key);
      visit(row, ordinal);
    }
  }
}

Request ModelRun::build_request(const Row& row) {
  Request request;
  check((*pipeline_.request)->build(row, request), pipeline_.request->label() + ": row " + row.key);
  request.key = row.key;
  return request;
}

std::uint64_t ModelRun::registration_scan() {
  auto scan = ledger_->begin_scan();
  std::vector<std::string> columns;
  check_input(pipeline_.source->open(columns), pipeline_.source.label());
  RepeatedKeyNames names;
  std::uint64_t ordinal = 0;
  std::vector<Row> batch;
  while (true) {
    if (run_.cancelled()) throw RunCancelled();
    check_input(pipeline_.source->read(batch, kRowsPerRead), pipeline_.source.label());
    if (batch.empty()) break;
    for (auto& row : batch) {
      ++ordinal;
      std::string where = pipeline_.source.label() + ": row " + std::to_string(ordinal) +
                          (row.line ? " (line " + std::to_string(row.line) + ")" : "");
      if (row.values.size() != columns.size())
        throw InputError(where + " has " + std::to_string(row.values.size()) + " values for " +
                         std::to_string(columns.size()) + " columns");
      if (row.key.empty()) throw InputError(where + " has an empty key");
      std::string content_hash;
      if (pipeline_.request) {
        Request request;
        check_input((*pipeline_.request)->build(row, request),
                    pipeline_.request->label() + ": row " + row.key);
        content_hash = request_content_hash(request.user_parts);
        if (!have_template_) {
          request_template_ = std::move(request);
          request_template_.key.clear();
          request_template_.user_parts.clear();
          have_template_ = true;
        }
      }
      auto earlier = ledger_->register_row(scan, row.key, ordinal, row.line, content_hash);
      if (earlier) {
        if (!settings_.allow_duplicate_keys)
          throw InputError(where + ": duplicate key \"" + row.key + "\" (first seen at line " +
                           std::to_string(earlier) +
                           "); keys must be unique, or set run.allow_duplicate_keys");
        duplicate_keys_.insert(row.key);
        std::string unique_key = names.next_repeat(row.key);
        if (ledger_->register_row(scan, unique_key, ordinal, row.line, content_hash))
          throw InputError(where + ": key \"" + unique_key + "\" collides with another row's key");
        row.key = unique_key;
      }
    }
    if (ordinal % 8192 < kRowsPerRead) ledger_->commit_scan_batch();
  }
  ledger_->finish_scan(scan);
  run_.counters().set(counter::rows_total, static_cast<std::int64_t>(ordinal));
  return ordinal;
}

void ModelRun::check_changes() {
  fingerprint_ = request_fingerprint(pipeline_, pricing_.model);
  parser_fingerprint_ = parser_fingerprint(pipeline_);
  if (ledger_->meta("fingerprint_scheme") != "2") {
    // Ledgers of schema version 1 fingerprinted request and parser together: when that combined
    // fingerprint still matches, the config did not change and the rows keep their answers.
    auto recorded = ledger_->meta("config_fingerprint");
    if (recorded && *recorded == legacy_config_fingerprint(pipeline_, pricing_.model))
      ledger_->rename_fingerprint(*recorded, fingerprint_);
    ledger_->set_meta("fingerprint_scheme", "2");
  }
  ledger_->set_meta("config_fingerprint", fingerprint_);
  ledger_->set_meta("parser_fingerprint", parser_fingerprint_);
  ledger_->reset_failures_with_other_fingerprint(fingerprint_);
  apply_change_policy();
}

namespace {

std::string first_keys(const std::vector<std::string>& keys, std::uint64_t total) {
  std::string text;
  for (const auto& key : keys) text += (text.empty() ? "" : ", ") + key;
  if (total > keys.size()) text += ", ...";
  return text;
}

}  // namespace

void ModelRun::apply_change_policy() {
  auto changed = ledger_->changed_rows(fingerprint_);
  if (!changed.any()) return;
  if (options_.rerun_changed) {
    auto reset = ledger_->rerun_changed(fingerprint_);
    if (reset)
      spdlog::info(
          "redoing {} rows answered under a different prompt/schema/model/template or for other input "
          "content (--rerun-changed)",
          reset);
    return;
  }
  if (options_.accept_changed) {
    auto kept = ledger_->accept_changed(fingerprint_);
    if (kept)
      spdlog::info(
          "keeping the answers of {} rows answered under a different prompt/schema/model/template or for "
          "other input content (--accept-changed)",
          kept);
    return;
  }
  std::string message;
  if (changed.config)
    message +=
        std::to_string(changed.config) + " rows in " + ledger_path(config_).string() +
        " were done under a different prompt, schema, model or template than the config now says (first: " +
        first_keys(changed.config_keys, changed.config) + ")";
  if (changed.content)
    message += std::string(message.empty() ? "" : "; ") + std::to_string(changed.content) +
               " rows changed in the input since they were sent to the model (first: " +
               first_keys(changed.content_keys, changed.content) + ")";
  message += "; run with --rerun-changed to redo them, or --accept-changed to keep their answers";
  throw config::ConfigError(message);
}

void ModelRun::reparse_stored_answers() {
  constexpr std::size_t kAnswersPerBatch = 1000;
  std::uint64_t reparsed = 0, unusable = 0;
  std::string after;
  while (true) {
    auto answers = ledger_->answers_to_reparse(parser_fingerprint_, after, kAnswersPerBatch);
    if (answers.empty()) break;
    after = answers.back().key;
    ledger_->begin_batch();
    for (const auto& answer : answers) {
      std::vector<Value> fields;
      Status parsed;
      {
        std::lock_guard lock(stage_mutex_);
        parsed = (*pipeline_.parser)->parse(answer.raw_text, fields);
      }
      if (parsed && fields.size() == ai_columns_.size()) {
        ledger_->store_reparsed(answer.key, fields, parser_fingerprint_);
      } else {
        ++unusable;
        ledger_->fail_reparsed(
            answer.key,
            parsed ? "the parser returned " + std::to_string(fields.size()) + " fields for " +
                         std::to_string(ai_columns_.size()) + " output columns"
                   : "parse error (answer kept; the parser config changed): " + parsed.message(),
            parser_fingerprint_);
      }
      ++reparsed;
    }
    ledger_->commit_batch();
  }
  if (reparsed && !unusable)
    spdlog::info("the parser config changed: parsed {} stored answers again (nothing sent)", reparsed);
  else if (reparsed)  // these cost money again: say it louder (e.g. a new required property)
    spdlog::warn(
        "the parser config changed: parsed {} stored answers again; {} no longer parse (they lack what "
        "the parser now requires) and will be sent again",
        reparsed, unusable);
}

std::vector<ledger::EligibleRow> ModelRun::eligible_now() {
  // Jobs planned under an older config may have come back since the last look: settle their rows.
  if (options_.rerun_changed || options_.accept_changed) apply_change_policy();
  auto rows = ledger_->eligible_rows(settings_.max_attempts);
  if (selected_) std::erase_if(rows, [&](const auto& r) { return !selected_->count(r.ordinal); });
  return rows;
}

void ModelRun::select_rows() {
  if (options_.retry_failed) {
    auto requeued = ledger_->requeue_failed();
    spdlog::info("--retry-failed: {} failed rows get a fresh budget of {} attempts", requeued,
                 settings_.max_attempts);
  }
  auto rows = ledger_->eligible_rows(settings_.max_attempts);
  if (options_.limit && rows.size() > *options_.limit) rows.resize(*options_.limit);
  if (options_.limit) {
    selected_.emplace();
    for (const auto& r : rows) selected_->insert(r.ordinal);
  }
  run_.counters().set(counter::rows_selected, static_cast<std::int64_t>(rows.size()));
}

RunReport ModelRun::dry_run(const std::vector<ledger::EligibleRow>& rows) {
  std::uint64_t bytes = 0, requests = 0, jobs = 0, chunk_rows = 0, chunk_bytes = 0;
  std::int64_t input_tokens = 0;
  std::uint64_t limit_rows =
      capabilities_.max_requests_per_job
          ? std::min<std::uint64_t>(settings_.batch_size, capabilities_.max_requests_per_job)
          : settings_.batch_size;
  std::size_t next = 0;
  for_each_source_row([&](Row& row, std::uint64_t ordinal) {
    if (next >= rows.size() || rows[next].ordinal != ordinal) return;
    ++next;
    auto request = build_request(row);
    std::uint64_t size = 0;
    check((*pipeline_.provider)->encoded_size(request, size), pipeline_.provider->label());
    std::uint64_t text = request.system_instruction ? request.system_instruction->size() : 0;
    for (const auto& part : request.user_parts) text += part.size();
    if (request.generation.response_schema_json) text += request.generation.response_schema_json->size();
    input_tokens += static_cast<std::int64_t>((text + 3) / 4);
    bytes += size;
    ++requests;
    bool full = chunk_rows == limit_rows ||
                (capabilities_.max_bytes_per_job && chunk_bytes + size > capabilities_.max_bytes_per_job);
    if (chunk_rows == 0 || full) ++jobs, chunk_rows = 0, chunk_bytes = 0;
    ++chunk_rows, chunk_bytes += size;
  });
  auto counts = ledger_->counts();
  auto done = static_cast<std::int64_t>(counts.rows_by_state["done"]);
  auto n = static_cast<std::int64_t>(requests);
  // Rows done so far are the best guide to output length and to the share of cached input.
  ledger::TokenTotals estimate;
  estimate.input = input_tokens;
  std::int64_t output_per_row = done ? counts.tokens.output / done : kAssumedOutputTokens;
  estimate.output = output_per_row * n;
  estimate.thinking = done ? counts.tokens.thinking / done * n : 0;
  if (done && counts.tokens.input > 0) {
    estimate.cached_input = static_cast<std::int64_t>(static_cast<double>(input_tokens) *
                                                      static_cast<double>(counts.tokens.cached_input) /
                                                      static_cast<double>(counts.tokens.input));
    estimate.cache_write = static_cast<std::int64_t>(static_cast<double>(input_tokens) *
                                                     static_cast<double>(counts.tokens.cache_write) /
                                                     static_cast<double>(counts.tokens.input));
  }
  std::string tools_note;
  for (const auto& tool : request_template_.tools) {
    for (const auto& price : pricing_.tool_prices) {
      if (price.tool != tool) continue;
      estimate.tool_units += n;
      estimate.tool_cost_usd += price.usd_per_unit * static_cast<double>(n);
      tools_note += "\n  assuming one " + price.unit + " of " + tool + " per row (" +
                    format_dollars(price.usd_per_unit) +
                    " each): " + format_dollars(price.usd_per_unit * static_cast<double>(n));
    }
  }
  std::string text = "dry run: " + std::to_string(requests) + " requests";
  if (settings_.mode == config::Mode::batch)
    text += " in " + std::to_string(jobs) + " batch job(s), " +
            format_bytes(static_cast<std::int64_t>(bytes)) + " to upload";
  text += "\n  estimated tokens: " + std::to_string(input_tokens) + " in (≈ bytes/4" +
          (estimate.cached_input ? ", " + std::to_string(estimate.cached_input) + " of them cached as so far"
                                 : "") +
          "), " + std::to_string(estimate.output) + " out (" + std::to_string(output_per_row) + " per row, " +
          (done ? "the average of the rows done so far" : "an assumption until rows are done") + ")" +
          tools_note + "\n  estimated cost: " + format_cost(pricing_, estimate) + " (" + pricing_.model +
          ", " + to_string(settings_.mode) + " pricing)\n  nothing was sent.";
  RunReport report;
  report.rows_total = counts.total_rows;
  report.estimate = text;
  return report;
}

void ModelRun::start_remote_stages() {
  try {
    engine::start_remote_stages(pipeline_);
  } catch (...) {
    rethrow_worker_error();  // the watchdog gave up while a stage was starting: its reason wins
    throw;
  }
}

bool ModelRun::wait_with_note(std::chrono::milliseconds wait, const std::string& note) {
  if (progress_) progress_->set_note(note);
  spdlog::info("{}", note);
  bool completed = run_.sleep_for(wait);
  if (progress_) progress_->set_note("");
  return completed && !aborting_;
}

void ModelRun::abort_with(std::exception_ptr error) {
  {
    std::lock_guard lock(error_mutex_);
    if (!worker_error_) worker_error_ = error;
  }
  aborting_ = true;
  run_.cancel();
}

void ModelRun::rethrow_worker_error() {
  std::lock_guard lock(error_mutex_);
  if (worker_error_) std::rethrow_exception(worker_error_);
}

RunReport ModelRun::run() {
  auto phase_start = std::chrono::steady_clock::now();
  auto end_phase = [&](const char* name) {
    auto now = std::chrono::steady_clock::now();
    phase_seconds_.emplace_back(name, std::chrono::duration<double>(now - phase_start).count());
    phase_start = now;
  };
  open_ledger();
  open_stages();
  registration_scan();
  check_changes();
  if (have_template_) ledger_->keep_request_template(fingerprint_, request_template_json(request_template_));
  reparse_stored_answers();
  select_rows();
  end_phase("scan");
  if (options_.dry_run) return dry_run(eligible_now());
  auto watchdog = watch_provider(*pipeline_.provider, settings_, [this](const std::string& why) {
    abort_with(std::make_exception_ptr(RunError(why)));
  });
  start_remote_stages();
  progress_ = std::make_unique<ProgressReporter>(run_, pricing_, options_.live_progress);
  if (settings_.mode == config::Mode::batch)
    run_batch_passes();
  else
    run_online_passes();
  wait_for_workers();
  watchdog.reset();
  end_phase("model_calls");
  for (auto& logger : pipeline_.loggers) {
    std::uint64_t delivered = 0, set_aside = 0;
    auto status = logger->flush(delivered, set_aside);
    if (!status)
      spdlog::warn("{}: flush failed: {}", logger.label(), status.message());
    else if (set_aside)
      spdlog::warn("{}: {} events could not be delivered and were set aside", logger.label(), set_aside);
  }
  progress_->stop();
  end_phase("logger_flush");
  rethrow_worker_error();
  if (run_.cancelled()) throw RunCancelled();
  apply_change_policy();
  return finish(true);
}

RunReport ModelRun::export_only() {
  open_ledger();
  open_stages();
  registration_scan();
  check_changes();
  reparse_stored_answers();
  return finish(true);
}

RunReport ModelRun::finish(bool write_outputs) {
  if (write_outputs) export_outputs();
  return summarize();
}

void ModelRun::export_outputs() {
  auto export_start = std::chrono::steady_clock::now();
  std::vector<Column> out_columns;
  for (const auto& name : columns_) out_columns.push_back({name});
  out_columns.insert(out_columns.end(), ai_columns_.begin(), ai_columns_.end());
  out_columns.push_back({"_status", "string", {"ok", "failed", "pending"}});
  out_columns.push_back({"_error", "string"});
  for (auto& sink : pipeline_.sinks) check(sink->open(out_columns), sink.label());
  std::vector<Row> out;
  auto flush = [&] {
    for (auto& sink : pipeline_.sinks) check(sink->write(out), sink.label());
    out.clear();
  };
  for_each_source_row([&](Row& row, std::uint64_t) {
    auto result = ledger_->row_result(row.key);
    auto state = result ? result->state : ledger::RowState::pending;
    if (result && state == ledger::RowState::done && result->fields.size() == ai_columns_.size())
      row.values.insert(row.values.end(), result->fields.begin(), result->fields.end());
    else
      row.values.resize(row.values.size() + ai_columns_.size());
    row.values.emplace_back(status_of(state));
    row.values.emplace_back(
        result && state == ledger::RowState::failed ? run_.secrets()->redact(result->error) : "");
    out.push_back(std::move(row));
    if (out.size() == kRowsPerRead) flush();
  });
  if (stopping()) throw RunCancelled();  // a partial export is never committed
  flush();
  for (auto& sink : pipeline_.sinks) check(sink->commit(), sink.label());
  phase_seconds_.emplace_back(
      "export", std::chrono::duration<double>(std::chrono::steady_clock::now() - export_start).count());
}

RunReport ModelRun::summarize() {
  RunReport report;
  auto counts = ledger_->counts();
  report.rows_total = counts.total_rows;
  report.rows_ok = counts.rows_by_state["done"];
  report.rows_failed = counts.rows_by_state["failed"];
  report.rows_pending = counts.rows_by_state["pending"] + counts.rows_by_state["submitted"];
  report.jobs_created = jobs_created_;
  report.tokens = counts.tokens;
  report.cost = format_cost(pricing_, counts.tokens);
  report.model = pricing_.model;

  auto failures = ledger_->failed_rows();
  std::map<std::string, std::uint64_t> by_reason;
  auto failures_file = settings_.state_dir / "failures.csv";
  if (!failures.empty()) {
    std::ofstream csv(failures_file, std::ios::binary | std::ios::trunc);
    csv << "key,attempts,reason\n";
    for (const auto& f : failures) {
      auto reason = run_.secrets()->redact(f.reason);  // also what older versions stored
      csv << csv_field(f.key) << "," << f.attempts << "," << csv_field(reason) << "\n";
      ++by_reason[reason.substr(0, 200)];
    }
    report.failures_file = failures_file;
  } else {
    std::filesystem::remove(failures_file);
  }

  json::object rows{{"total", report.rows_total},
                    {"ok", report.rows_ok},
                    {"failed", report.rows_failed},
                    {"pending", report.rows_pending}};
  json::object jobs;
  for (const auto& [state, n] : counts.jobs_by_state) jobs[state] = n;
  json::object reasons;
  for (const auto& [reason, n] : by_reason) reasons[reason] = n;
  json::object counters;
  for (const auto& [name, value] : run_.counters().snapshot()) counters[name] = value;
  json::object phases;
  for (const auto& [name, seconds] : phase_seconds_) phases[name] = seconds;
  auto cost = cost_of(pricing_, counts.tokens);
  json::object summary{
      {"run_id", ledger_->run_id()},
      {"config", config_.file.string()},
      {"finished_at", unix_now()},
      {"model", pricing_.model},
      {"mode", to_string(settings_.mode)},
      {"rows", rows},
      {"jobs", jobs},
      {"jobs_created_this_run", report.jobs_created},
      {"tokens", tokens_json(counts.tokens)},
      {"cost", cost_json(cost)},
      {"cost_usd", cost ? json::value(cost->total) : json::value(nullptr)},
      {"failures_by_reason", reasons},
      {"counters", counters},
      {"phase_seconds", phases},
  };
  if (settings_.mode == config::Mode::batch) {
    auto seconds = [](const std::atomic<std::int64_t>& us) { return static_cast<double>(us.load()) / 1e6; };
    summary["job_seconds"] = json::object{{"submit", seconds(job_stage_times_.submit_us)},
                                          {"wait", seconds(job_stage_times_.wait_us)},
                                          {"fetch", seconds(job_stage_times_.fetch_us)}};
  }
  report.summary_file = settings_.state_dir / "summary.json";
  std::ofstream(report.summary_file, std::ios::binary | std::ios::trunc) << json::serialize(summary) << "\n";
  if (settings_.report)
    report.report_file = write_run_report(
        report_inputs(config_, pipeline_, columns_, ai_columns_, request_template_, pricing_),
        report_path(config_));
  return report;
}

RunReport run_model(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
                    const RunOptions& options) {
  ModelRun model_run(config, pipeline, run, options);
  return model_run.run();
}

RunReport export_run(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
                     const RunOptions& options) {
  if (!std::filesystem::exists(ledger_path(config)))
    throw RunError("nothing to export: no run ledger at " + ledger_path(config).string() +
                   " (run the job first)");
  RunOptions export_options;
  export_options.accept_changed = options.accept_changed;
  ModelRun model_run(config, pipeline, run, export_options);
  return model_run.export_only();
}

CancelReport cancel_run(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run) {
  if (!std::filesystem::exists(ledger_path(config))) return {};
  ModelRun model_run(config, pipeline, run, {});
  return model_run.cancel_jobs();
}

}  // namespace pipehost::engine
