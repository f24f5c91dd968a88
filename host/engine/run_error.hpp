// A run that cannot go on: a stage failed fatally, the input is unusable, or the run was cancelled.
#pragma once

#include <stdexcept>
#include <string>

#include "pipehost/status.hpp"

namespace pipehost::engine {

class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The input is unusable (malformed rows, duplicate keys): nothing was sent.
class InputError : public RunError {
 public:
  using RunError::RunError;
};

/// The run stopped because it was cancelled (Ctrl-C); everything done so far is kept.
class RunCancelled : public RunError {
 public:
  RunCancelled() : RunError("cancelled") {}
};

/// Stops the run (RunError "what: message") when a stage call failed.
inline void check(const Status& status, const std::string& what) {
  if (!status) throw RunError(what + ": " + status.message());
}

/// As check(), for the source's complaints while the input is read first: a usage error, nothing
/// was sent (InputError).
inline void check_input(const Status& status, const std::string& what) {
  if (!status) throw InputError(what + ": " + status.message());
}

}  // namespace pipehost::engine
