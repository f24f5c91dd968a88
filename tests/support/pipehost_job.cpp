#include "pipehost_job.hpp"

#include "process.hpp"

namespace pipehost::test {

std::string pipehost_job_output(const TempDir& dir, const std::string& state) {
  return dir.file(state + "-out.csv");
}

std::vector<std::string> pipehost_job_command(const TempDir& dir, const std::string& log_level,
                                              const std::vector<std::string>& args,
                                              const std::string& state) {
  std::vector<std::string> argv = {bin_path("pipehost"),
                                   "--plugins",
                                   PIPEHOST_PLUGIN_DIR,
                                   "--no-progress",
                                   "--log-level",
                                   log_level,
                                   "--config",
                                   dir.file("run.json"),
                                   "--set",
                                   "run.state_dir=" + dir.file(state),
                                   "--set",
                                   "sinks.0.path=" + pipehost_job_output(dir, state)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace pipehost::test
