#include "cli/cli_options.hpp"

#include <charconv>
#include <sstream>

#include <boost/program_options.hpp>

#include "config/did_you_mean.hpp"

namespace pipehost::cli {

namespace po = boost::program_options;

namespace {

const std::vector<std::string> kCommands = {"run",    "validate", "plugins", "status", "export",
                                            "cancel", "report",   "rows",    "calls"};

po::options_description option_descriptions() {
  po::options_description options("Options");
  options.add_options()("config,c", po::value<std::string>(),
                        "run config file (run.json); may also be given as the last argument")(
      "plugins,p", po::value<std::vector<std::string>>()->composing(),
      "plugin folder (repeatable); default: the plugins folder next to the binary, then "
      "$PIPEHOST_PLUGIN_PATH")("set", po::value<std::vector<std::string>>()->composing(),
                               "override a config value, e.g. --set provider.batch_size=100 (repeatable)")(
      "state-dir", po::value<std::string>(), "where the run ledger lives (default: run.state_dir)")(
      "limit", po::value<std::string>(), "process at most N more rows that are not done yet (N >= 1)")(
      "dry-run", po::bool_switch(), "build the requests and estimate tokens and cost; send nothing")(
      "rerun-changed", po::bool_switch(), "redo rows done under a different prompt/schema/model/template")(
      "accept-changed", po::bool_switch(), "keep rows done under a different prompt/schema/model/template")(
      "retry-failed", po::bool_switch(),
      "give rows that ended failed a fresh budget of run.max_attempts attempts")(
      "no-progress", po::bool_switch(), "plain log lines instead of a live progress line")(
      "json", po::bool_switch(), "machine-readable output (plugins, status; rows and calls as JSON Lines)")(
      "output,o", po::value<std::string>(),
      "report: where to write the HTML (default: <state_dir>/report.html)")(
      "status", po::value<std::string>(), "rows: only rows that are ok, failed or pending")(
      "where", po::value<std::vector<std::string>>()->composing(),
      "rows: only rows whose answer has COLUMN=VALUE (or COLUMN!=VALUE; repeatable)")(
      "key", po::value<std::string>(), "calls: only the calls of the row with this key")(
      "log-level", po::value<std::string>()->default_value("info"), "trace, debug, info, warn, error or off")(
      "help,h", po::bool_switch(), "show this help")("version", po::bool_switch(), "show the version");
  return options;
}

/// --limit takes a positive integer, nothing else: "-5" or "1e3" must not quietly mean "everything".
std::uint64_t parse_limit(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0)
    throw UsageError("--limit takes a positive whole number of rows (e.g. --limit 100), not \"" + text +
                     "\"");
  return value;
}

}  // namespace

std::string usage_text() {
  std::ostringstream out;
  out << "Usage: pipehost [COMMAND] [OPTIONS] [CONFIG]\n"
         "\n"
         "Runs a language model over every row of a dataset, resumably, as configured in CONFIG (run.json).\n"
         "\n"
         "Commands:\n"
         "  run        run (or resume) the job; the default command\n"
         "  validate   check the config against the plugins' schemas and read the input; no network\n"
         "  plugins    list the plugins found, their stages and versions (plugins NAME: its config keys)\n"
         "  status     where the run stands: rows and jobs by state, tokens, cost\n"
         "  export     write the sinks from what is done so far\n"
         "  cancel     cancel the run's live jobs at the provider\n"
         "  report     write the run's HTML report (answers, failures, cost, timeline); read-only\n"
         "  rows       list rows with their answers or reasons (--status, --where, --limit, --json)\n"
         "  calls      list every answer received (--key K for one row's; --json)\n"
         "\n"
      << option_descriptions()
      << "\n"
         "Exit codes: 0 ok, 1 finished with failed rows, 2 usage/config/input error, 3 runtime error,\n"
         "130 cancelled. Example:\n"
         "  pipehost --plugins build/plugins --config examples/songs/run.json\n";
  return out.str();
}

CliOptions parse_command_line(int argc, const char* const argv[]) {
  CliOptions result;
  std::vector<std::string> args(argv + 1, argv + argc);
  po::options_description hidden;
  hidden.add_options()("positional", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(option_descriptions()).add(hidden);
  po::positional_options_description positional;
  positional.add("positional", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }

  if (vm.count("plugins")) result.plugin_dirs = vm["plugins"].as<std::vector<std::string>>();
  if (vm.count("set")) result.overrides = vm["set"].as<std::vector<std::string>>();
  if (vm.count("config")) result.config = vm["config"].as<std::string>();
  if (vm.count("state-dir")) result.state_dir = vm["state-dir"].as<std::string>();
  if (vm.count("limit")) result.limit = parse_limit(vm["limit"].as<std::string>());
  if (vm.count("output")) result.output = vm["output"].as<std::string>();
  if (vm.count("status")) result.status = vm["status"].as<std::string>();
  if (vm.count("where")) result.where = vm["where"].as<std::vector<std::string>>();
  if (vm.count("key")) result.key = vm["key"].as<std::string>();
  result.log_level = vm["log-level"].as<std::string>();
  result.dry_run = vm["dry-run"].as<bool>();
  result.rerun_changed = vm["rerun-changed"].as<bool>();
  result.accept_changed = vm["accept-changed"].as<bool>();
  result.retry_failed = vm["retry-failed"].as<bool>();
  result.no_progress = vm["no-progress"].as<bool>();
  result.json = vm["json"].as<bool>();
  result.help = vm["help"].as<bool>();
  result.version = vm["version"].as<bool>();

  std::vector<std::string> words;
  if (vm.count("positional")) words = vm["positional"].as<std::vector<std::string>>();
  // The command is the first word, wherever it stands among the options.
  if (!words.empty()) {
    if (std::find(kCommands.begin(), kCommands.end(), words.front()) != kCommands.end()) {
      result.command = words.front();
      words.erase(words.begin());
    } else if (words.front().find('.') == std::string::npos && words.front().find('/') == std::string::npos) {
      throw UsageError("unknown command \"" + words.front() + "\"" +
                       config::did_you_mean(words.front(), kCommands) +
                       "; commands: run, validate, plugins, status, export, cancel, report, rows, calls");
    }
  }
  if (result.command == "plugins") {
    if (words.size() > 1) throw UsageError("plugins takes at most one plugin name");
    if (!words.empty()) result.plugin_name = words.front();
  } else {
    if (words.size() > 1) throw UsageError("unexpected argument \"" + words[1] + "\"");
    if (!words.empty()) {
      if (!result.config.empty())
        throw UsageError("the config is given twice (--config and " + words.front() + ")");
      result.config = words.front();
    }
  }
  if (result.rerun_changed && result.accept_changed)
    throw UsageError("--rerun-changed and --accept-changed exclude each other");
  if (!result.help && !result.version && result.command != "plugins" && result.config.empty())
    throw UsageError("no config given (use --config FILE, e.g. --config examples/songs/run.json)");
  return result;
}

}  // namespace pipehost::cli
