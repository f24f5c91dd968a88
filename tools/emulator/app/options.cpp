#include "emulator/app/options.hpp"

#include <cstdlib>
#include <sstream>

#include <boost/program_options.hpp>

namespace pipehost::emulator {

namespace po = boost::program_options;

EmulatorSettings parse_command_line(int argc, const char* const* argv) {
  po::options_description options(
      "pipehost-emulator: local Gemini (Files, Batch, generateContent), BrainTrust, OpenAI (Files, Batch,\n"
      "chat completions, responses) and Anthropic (Message Batches, Messages) API emulator\nOptions");
  options.add_options()("help,h", "show this help")("port", po::value<unsigned>()->default_value(0),
                                                    "port on 127.0.0.1 (0 = any free port)")(
      "no-tls", "serve plain HTTP instead of HTTPS")("state-dir", po::value<std::string>(),
                                                     "keep uploads, outputs and the certificate here "
                                                     "(default: a temp dir removed at exit)")(
      "gemini-key", po::value<std::string>(),
      "expected Gemini API key (default: env GEMINI_API_KEY; if neither, any non-empty key)")(
      "braintrust-key", po::value<std::string>(),
      "expected BrainTrust API key (default: env BRAINTRUST_API_KEY; if neither, any non-empty key)")(
      "openai-key", po::value<std::string>(),
      "expected OpenAI API key (default: env OPENAI_API_KEY; if neither, any non-empty key)")(
      "anthropic-key", po::value<std::string>(),
      "expected Anthropic API key (default: env ANTHROPIC_API_KEY; if neither, any non-empty key)")(
      "faults", po::value<std::string>()->default_value(""), "fault SPEC, e.g. create_429=2,fenced=0.3")(
      "seed", po::value<std::uint64_t>()->default_value(1), "seed of the fault draws")(
      "log-requests", "print one line per request to stderr (keys redacted)")(
      "exit-with-parent", "stop when the process that started the emulator dies (for test harnesses)");

  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw CommandLineError(std::string(error.what()) + "\n(see --help)", 2);
  }
  if (values.count("help")) {
    std::ostringstream text;
    text << options;
    throw CommandLineError(text.str(), 0);
  }

  EmulatorSettings settings;
  unsigned port = values["port"].as<unsigned>();
  if (port > 65535) throw CommandLineError("--port must be between 0 and 65535", 2);
  settings.port = static_cast<std::uint16_t>(port);
  settings.tls = !values.count("no-tls");
  if (values.count("state-dir")) settings.state_dir = values["state-dir"].as<std::string>();
  auto key = [&](const char* flag, const char* env) -> std::optional<std::string> {
    if (values.count(flag)) return values[flag].as<std::string>();
    if (const char* value = std::getenv(env); value && *value) return std::string(value);
    return std::nullopt;
  };
  settings.gemini_key = key("gemini-key", "GEMINI_API_KEY");
  settings.braintrust_key = key("braintrust-key", "BRAINTRUST_API_KEY");
  settings.openai_key = key("openai-key", "OPENAI_API_KEY");
  settings.anthropic_key = key("anthropic-key", "ANTHROPIC_API_KEY");
  try {
    settings.faults = FaultConfig::parse(values["faults"].as<std::string>());
  } catch (const std::invalid_argument& error) {
    throw CommandLineError(std::string("--faults: ") + error.what(), 2);
  }
  settings.seed = values["seed"].as<std::uint64_t>();
  settings.log_requests = values.count("log-requests") > 0;
  settings.exit_with_parent = values.count("exit-with-parent") > 0;
  return settings;
}

}  // namespace pipehost::emulator
