#include "cli/cli_options.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <boost/program_options.hpp>

#include "config/did_you_mean.hpp"

namespace pipehost::cli {

namespace po = boost::program_options;

namespace {

/// One command: its usage, its help, and the options it takes (by long name). Every command also
/// takes --help and --version; an option a command does not take is a usage error, not ignored.
struct CommandSpec {
  std::string name;
  /// What follows the options in the usage line.
  std::string arguments;
  /// Its line in the global help.
  std::string summary;
  /// The top of its own help.
  std::string description;
  std::vector<std::string> options;
};

/// Options that pick a run and how it logs. Every command that works on a run config takes them, so
/// a script can pass the same ones to run, validate, status, export and cancel.
std::vector<std::string> run_config_options(std::vector<std::string> own) {
  std::vector<std::string> options = {"config", "plugins", "set", "state-dir", "no-progress", "log-level"};
  options.insert(options.end(), own.begin(), own.end());
  return options;
}

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> specs = {
      {"run", "CONFIG", "run (or resume) the job; the default command",
       "Runs the job in CONFIG (run.json), or resumes it: rows already done are never sent again. Then\n"
       "writes the sinks. `pipehost CONFIG` is `pipehost run CONFIG`.",
       run_config_options({"limit", "dry-run", "rerun-changed", "accept-changed", "retry-failed"})},
      {"validate", "CONFIG", "check the config against the plugins' schemas and read the input; no network",
       "Checks CONFIG against every plugin's schema, binds the template to the input's columns and reads\n"
       "the whole input. Sends nothing and writes nothing.",
       run_config_options({})},
      {"plugins",
       "[NAME]",
       "list the plugins found, their stages and versions (plugins NAME: its config keys)",
       "Lists the plugins found, their stages and versions; with NAME, that plugin's config keys.",
       {"plugins", "json", "log-level"}},
      {"status", "CONFIG", "where the run stands: rows and jobs by state, tokens, cost",
       "Shows where the run of CONFIG stands: rows and jobs by state, tokens, cost. Only reads the\n"
       "ledger; works while a run is going.",
       run_config_options({"json"})},
      {"export", "CONFIG", "write the sinks from what is done so far",
       "Writes the sinks of CONFIG from what is done so far, without sending anything. Refuses when rows\n"
       "changed since they were answered, unless --accept-changed.",
       run_config_options({"accept-changed"})},
      {"cancel", "CONFIG", "settle the run's live jobs: collect the finished, cancel the running",
       "Polls the run's live batch jobs: a job that already finished is downloaded and its answers kept;\n"
       "a running one is cancelled and whatever it answered is kept. Rows left without an answer go back\n"
       "to pending.",
       run_config_options({})},
      {"init",
       "[DIR]",
       "write a starter run.json, prompt.md and schema.json (for your CSV: --from)",
       "Writes a starter run.json, prompt.md and schema.json into DIR (default: the current folder).\n"
       "With --from DATA.csv the template gets one {{column}} placeholder per column of the CSV;\n"
       "without it, a small data.csv is written too. Existing files are never overwritten.",
       {"from", "plugins", "log-level"}},
      {"report", "CONFIG", "write the run's HTML report (answers, failures, cost, timeline); read-only",
       "Writes the run's HTML report from its ledger and summary: answers by value, failures by reason,\n"
       "cost, the timeline of jobs. Only reads the ledger; works while a run is going.",
       run_config_options({"output"})},
      {"rows", "CONFIG", "list rows with their answers or reasons (--status, --where, --limit, --json)",
       "Lists the input's rows with their answers, or why they failed, from the ledger. Read-only.",
       run_config_options({"status", "where", "limit", "json"})},
      {"calls", "CONFIG", "list every answer received (--key K for one row's; --json)",
       "Lists every answer received, ok or not: request summary, raw answer, usage, latency, job and\n"
       "attempt. Read-only.",
       run_config_options({"key", "limit", "json"})},
  };
  return specs;
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& spec : command_specs())
    if (spec.name == name) return &spec;
  return nullptr;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& spec : command_specs()) names.push_back(spec.name);
  return names;
}

po::options_description option_descriptions() {
  po::options_description options("Options");
  // clang-format off
  options.add_options()
      ("config,c", po::value<std::string>(), "run config file (run.json); may also be given as the last argument")
      ("plugins,p", po::value<std::vector<std::string>>()->composing(),
       "plugin folder (repeatable); default: the binary's own (../plugins or ../lib/pipehost/plugins from its "
       "bin/), then $PIPEHOST_PLUGIN_PATH")
      ("set", po::value<std::vector<std::string>>()->composing(),
       "override a config value, e.g. --set provider.batch_size=100 (repeatable)")
      ("state-dir", po::value<std::string>(), "where the run ledger lives (default: run.state_dir)")
      ("limit", po::value<std::string>(), "process at most N more rows that are not done yet (N >= 1)")
      ("dry-run", po::bool_switch(), "build the requests and estimate tokens and cost; send nothing")
      ("rerun-changed", po::bool_switch(), "redo rows done under a different prompt/schema/model/template")
      ("accept-changed", po::bool_switch(), "keep rows done under a different prompt/schema/model/template")
      ("retry-failed", po::bool_switch(), "give rows that ended failed a fresh budget of run.max_attempts attempts")
      ("no-progress", po::bool_switch(), "plain log lines instead of a live progress line")
      ("json", po::bool_switch(), "machine-readable output (plugins, status; rows and calls as JSON Lines)")
      ("from", po::value<std::string>(), "init: the CSV whose columns the starter template uses")
      ("output,o", po::value<std::string>(), "report: where to write the HTML (default: <state_dir>/report.html)")
      ("status", po::value<std::string>(), "rows: only rows that are ok, failed or pending")
      ("where", po::value<std::vector<std::string>>()->composing(),
       "rows: only rows whose answer has COLUMN=VALUE (or COLUMN!=VALUE; repeatable)")
      ("key", po::value<std::string>(), "calls: only the calls of the row with this key")
      ("log-level", po::value<std::string>()->default_value("info"), "trace, debug, info, warn, error or off")
      ("help,h", po::bool_switch(), "show this help")
      ("version", po::bool_switch(), "show the version");
  // clang-format on
  return options;
}

bool takes_option(const CommandSpec& spec, const std::string& option) {
  return option == "help" || option == "version" ||
         std::find(spec.options.begin(), spec.options.end(), option) != spec.options.end();
}

/// --limit takes a positive integer, nothing else: "-5" or "1e3" must not quietly mean "everything".
std::uint64_t parse_limit(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0)
    throw UsageError("--limit takes a positive whole number of rows (e.g. --limit 100), not \"" + text + "\"",
                     "run");
  return value;
}

/// Refuses an option the command does not take, naming the commands that do take it.
void check_options_taken(const CommandSpec& spec, const po::variables_map& vm, bool command_given) {
  for (const auto& [name, value] : vm) {
    if (name == "positional" || value.defaulted() || takes_option(spec, name)) continue;
    std::string takers;
    for (const auto& other : command_specs())
      if (takes_option(other, name)) takers += (takers.empty() ? "" : ", ") + other.name;
    throw UsageError(spec.name + " does not take --" + name + " (it is an option of: " + takers + ")",
                     command_given ? spec.name : std::string());
  }
}

std::string command_usage(const CommandSpec& spec) {
  po::options_description own("Options");
  const auto every_option = option_descriptions();
  for (const auto& option : every_option.options())
    if (takes_option(spec, option->long_name())) own.add(option);
  std::ostringstream out;
  out << "Usage: pipehost " << spec.name << " [OPTIONS] " << spec.arguments << "\n\n"
      << spec.description << "\n\n"
      << own;
  return out.str();
}

std::string global_usage() {
  std::ostringstream out;
  out << "Usage: pipehost [COMMAND] [OPTIONS] [CONFIG]\n"
         "\n"
         "Runs a language model over every row of a dataset, resumably, as configured in CONFIG (run.json).\n"
         "\n"
         "Commands:\n";
  for (const auto& spec : command_specs()) {
    out << "  " << spec.name << std::string(11 - std::min<std::size_t>(spec.name.size(), 10), ' ')
        << spec.summary << "\n";
  }
  out << "\n"
      << option_descriptions()
      << "\n"
         "'pipehost COMMAND --help' shows one command's usage and the options it takes.\n"
         "\n"
         "Exit codes: 0 ok, 1 finished with failed rows, 2 usage/config/input error, 3 runtime error,\n"
         "130 cancelled.\n"
         "\n"
         "Examples:\n"
         "  pipehost --plugins plugins/ --config run.json   run.json with the plugin libraries in plugins/\n"
         "  pipehost init --from data.csv myjob             a starter run.json, prompt.md, schema.json\n";
  return out.str();
}

}  // namespace

std::string usage_text(std::string_view command) {
  if (const auto* spec = find_command(command)) return command_usage(*spec);
  return global_usage();
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
  if (vm.count("from")) result.from = vm["from"].as<std::string>();
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
    if (find_command(words.front())) {
      result.command = words.front();
      result.command_given = true;
      words.erase(words.begin());
    } else if (words.front().find('.') == std::string::npos && words.front().find('/') == std::string::npos) {
      std::string names;
      for (const auto& name : command_names()) names += (names.empty() ? "" : ", ") + name;
      throw UsageError("unknown command \"" + words.front() + "\"" +
                       config::did_you_mean(words.front(), command_names()) + "; commands: " + names);
    }
  }
  const CommandSpec& spec = *find_command(result.command);
  check_options_taken(spec, vm, result.command_given);
  if (result.command == "plugins") {
    if (words.size() > 1) throw UsageError("plugins takes at most one plugin name");
    if (!words.empty()) result.plugin_name = words.front();
  } else if (result.command == "init") {
    if (words.size() > 1) throw UsageError("init takes at most one folder", "init");
    if (!words.empty()) result.init_dir = words.front();
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
  if (!result.help && !result.version && spec.arguments == "CONFIG" && result.config.empty())
    throw UsageError("no config given (use --config FILE, e.g. --config examples/songs/run.json)");
  return result;
}

}  // namespace pipehost::cli
