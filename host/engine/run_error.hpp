// A run that cannot go on: a stage failed fatally, or the run was cancelled.
#pragma once

#include <stdexcept>
#include <string>

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

}  // namespace pipehost::engine
