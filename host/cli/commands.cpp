#include "cli/commands.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "cli/exit_codes.hpp"
#include "cli/init_command.hpp"
#include "cli/output_folders.hpp"
#include "cli/plugin_folders.hpp"
#include "cli/plugin_listing.hpp"
#include "cli/report_commands.hpp"
#include "cli/session.hpp"
#include "config/run_config.hpp"
#include "engine/copy_run.hpp"
#include "engine/cost.hpp"
#include "engine/model_run.hpp"
#include "engine/pipeline.hpp"
#include "engine/preflight.hpp"
#include "engine/run_error.hpp"
#include "ledger/state_dir_lock.hpp"
#include "loader/plugin_registry.hpp"
#include "services/logging.hpp"
#include "services/run_services.hpp"

namespace pipehost::cli {

namespace {

std::atomic<int> g_signals{0};

extern "C" void on_signal(int) {
  // A second Ctrl-C means "stop now": the ledger is crash-safe, so nothing done is lost.
  if (g_signals.fetch_add(1) >= 1) std::_Exit(kExitCancelled);
}

/// Turns SIGINT/SIGTERM into a cancellation of the run, for as long as it lives.
class CancelOnSignal {
 public:
  explicit CancelOnSignal(services::RunServices& run) : run_(run) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    watcher_ = std::thread([this] {
      while (!stop_) {
        if (g_signals.load() > 0 && !run_.cancelled()) {
          spdlog::warn("cancelling: finishing what is in hand (press Ctrl-C again to stop at once)");
          run_.cancel();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  ~CancelOnSignal() {
    stop_ = true;
    watcher_.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }

 private:
  services::RunServices& run_;
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

int plugins_command(const CliOptions& options) {
  auto registry = load_plugins(options, PluginUse::list);
  if (!options.plugin_name.empty()) {
    const auto* plugin = registry->find(options.plugin_name);
    if (!plugin) {
      std::cerr << "pipehost: no plugin named \"" << options.plugin_name << "\"\n";
      return kExitUsage;
    }
    if (options.json)
      print_plugin_details_json(*plugin, std::cout);
    else
      print_plugin_details(*plugin, std::cout);
    return kExitOk;
  }
  if (options.json) {
    print_plugin_json(*registry, std::cout);
  } else {
    print_plugin_table(*registry, std::cout);
    for (const auto& refusal : registry->refusals()) std::cerr << "refused: " << refusal.message() << "\n";
  }
  return kExitOk;
}

int validate_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets) {
  auto session = open_session(options, secrets);
  const auto& config = session.config;
  auto& pipeline = session.pipeline;
  engine::preflight(config, pipeline, *secrets);

  std::vector<std::string> columns;
  if (auto status = pipeline.source->open(columns); !status)
    throw engine::InputError(pipeline.source.label() + ": " + status.message());
  std::vector<std::string> output_columns = columns;
  if (pipeline.request) {
    if (auto status = (*pipeline.request)->bind(columns); !status)
      throw config::ConfigError(config.file.string() + ": " + pipeline.request->pointer + ": " +
                                status.message());
    std::vector<Column> ai_columns;
    if (auto status = (*pipeline.parser)->columns(ai_columns); !status)
      throw config::ConfigError(config.file.string() + ": " + pipeline.parser->pointer + ": " +
                                status.message());
    for (const auto& column : ai_columns) output_columns.push_back(column.name);
    output_columns.insert(output_columns.end(), {"_status", "_error"});
  }
  std::uint64_t rows = 0;
  std::vector<Row> batch;
  while (true) {
    if (auto status = pipeline.source->read(batch, 4096); !status)
      throw engine::InputError(pipeline.source.label() + ": " + status.message());
    if (batch.empty()) break;
    rows += batch.size();
  }
  std::cout << "config ok: " << config.file.string() << "\n"
            << "  input: " << rows << " rows, " << columns.size() << " columns\n"
            << "  output columns: ";
  for (std::size_t i = 0; i < output_columns.size(); ++i) std::cout << (i ? ", " : "") << output_columns[i];
  std::cout << "\n";
  return kExitOk;
}

void print_report(const engine::RunReport& report, const config::RunConfig& config) {
  std::cout << "rows: " << report.rows_total << " total, " << report.rows_ok << " ok, " << report.rows_failed
            << " failed, " << report.rows_pending << " pending\n"
            << engine::tokens_text(report.tokens) << "\n"
            << "cost: " << report.cost << " (" << report.model << ", "
            << config::to_string(config.settings.mode) << " pricing)\n";
  for (const auto& sink : config.sinks) {
    if (auto* path = sink.options.if_contains("path"); path && path->is_string()) {
      std::filesystem::path p(std::string(path->get_string()));
      std::cout << "output: " << (p.is_relative() ? config.dir / p : p).lexically_normal().string() << "\n";
    }
  }
  if (!report.failures_file.empty()) std::cout << "failures: " << report.failures_file.string() << "\n";
  if (!report.report_file.empty()) std::cout << "report: " << report.report_file.string() << "\n";
  std::cout << "summary: " << report.summary_file.string() << "\n";
}

int run_command_impl(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets) {
  // A dry run only reads the ledger (it works on a private copy), so it neither waits for nor blocks a run.
  auto session = open_session(options, secrets, options.dry_run ? StateAccess::read : StateAccess::write);
  const auto& config = session.config;
  auto& pipeline = session.pipeline;
  auto& run = *session.run;
  // Before the scan and the first request: what would fail later, after rows were paid for. A dry
  // run calls no service, so it needs no key.
  engine::preflight(config, pipeline, *secrets, {.secrets = !options.dry_run});
  CancelOnSignal cancel_on_signal(run);
  if (!config.has_model()) {
    auto rows = engine::copy_rows(pipeline, run);
    spdlog::info("copied {} rows to {} sink(s)", rows, pipeline.sinks.size());
    return kExitOk;
  }
  engine::RunOptions run_options;
  run_options.limit = options.limit;
  run_options.dry_run = options.dry_run;
  run_options.rerun_changed = options.rerun_changed;
  run_options.accept_changed = options.accept_changed;
  run_options.retry_failed = options.retry_failed;
  run_options.live_progress = !options.no_progress && isatty(STDERR_FILENO);
  auto report = engine::run_model(config, pipeline, run, run_options);
  if (options.dry_run) {
    std::cout << report.estimate << "\n";
    return kExitOk;
  }
  print_report(report, config);
  return report.rows_failed ? kExitRowsFailed : kExitOk;
}

int export_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets) {
  auto session = open_session(options, secrets, StateAccess::write);
  require_model(session.config, "export");
  // Export writes the sinks and calls no service: keys and the provider's mode do not matter here.
  engine::preflight(session.config, session.pipeline, *secrets, {.secrets = false, .provider_mode = false});
  CancelOnSignal cancel_on_signal(*session.run);
  engine::RunOptions export_options;
  export_options.accept_changed = options.accept_changed;
  auto report = engine::export_run(session.config, session.pipeline, *session.run, export_options);
  print_report(report, session.config);
  return kExitOk;
}

int status_command(const CliOptions& options) {
  auto config = load_config(options);
  std::cout << engine::status_text(config, options.json);
  return kExitOk;
}

int cancel_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets) {
  auto session = open_session(options, std::move(secrets), StateAccess::write);
  require_model(session.config, "cancel");
  auto report = engine::cancel_run(session.config, session.pipeline, *session.run);
  std::cout << "cancelled " << report.cancelled << " running job(s) at the provider; " << report.finished
            << " had already finished (their answers are recorded, not sent again)";
  if (report.ended) std::cout << "; " << report.ended << " had ended on their own";
  if (report.never_created) std::cout << "; " << report.never_created << " had never been created";
  std::cout << "\n"
            << report.answers_kept << " answers kept; " << report.rows_released
            << " rows go back to pending and are sent by the next run\n";
  if (report.still_cancelling)
    std::cout
        << report.still_cancelling
        << " job(s) are still stopping at the provider; they keep their rows, and the next run or cancel "
           "collects what they answered\n";
  return kExitOk;
}

}  // namespace

int run_command(const CliOptions& options) {
  auto secrets = std::make_shared<services::SecretRegistry>();
  try {
    services::setup_logging(services::parse_log_level(options.log_level), secrets);
  } catch (const std::exception& e) {
    std::cerr << "pipehost: " << e.what() << "\n";
    return kExitUsage;
  }
  // Error texts quote services and stages: cut every secret the run knows out of them.
  auto fail = [&](int code, const std::string& text) {
    std::cerr << secrets->redact("pipehost: " + text) << "\n";
    return code;
  };
  try {
    if (options.command == "plugins") return plugins_command(options);
    if (options.command == "validate") return validate_command(options, secrets);
    if (options.command == "run") return run_command_impl(options, secrets);
    if (options.command == "export") return export_command(options, secrets);
    if (options.command == "status") return status_command(options);
    if (options.command == "cancel") return cancel_command(options, secrets);
    if (options.command == "init") return init_command(options);
    if (options.command == "report") return report_command(options, secrets);
    if (options.command == "rows") return rows_command(options, secrets);
    if (options.command == "calls") return calls_command(options);
    std::cerr << "pipehost: unknown command " << options.command << "\n";
    return kExitUsage;
  } catch (const config::ConfigError& e) {
    return fail(kExitUsage, e.what());
  } catch (const loader::StageCreationError& e) {
    return fail(kExitUsage, e.what());
  } catch (const engine::InputError& e) {
    return fail(kExitUsage, e.what());
  } catch (const ledger::StateDirBusy& e) {
    return fail(kExitRuntime, e.what());
  } catch (const engine::RunCancelled&) {
    return fail(kExitCancelled, "cancelled; what was done is kept, run the same command again to resume");
  } catch (const engine::RunError& e) {
    return fail(kExitRuntime, e.what());
  } catch (const std::exception& e) {
    return fail(kExitRuntime, std::string("unexpected error: ") + e.what());
  }
}

}  // namespace pipehost::cli
