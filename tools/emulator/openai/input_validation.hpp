// The checks the real Batch API runs on an input file while a batch is `validating`; any failure
// fails the batch with errors.data[{code, line, message, param}] (at most 100 entries):
//
//   empty_file                  no request lines
//   invalid_json_line           a line that is not a JSON object
//   missing_required_parameter  no string custom_id, no body object, or no body.model
//   duplicate_custom_id         a custom_id seen on an earlier line
//   invalid_method              method other than "POST" (the emulator's own code name)
//   url_mismatch                url different from the batch's endpoint
//   model_mismatch              body.model different from the first line's
//   too_many_tasks              more than 50,000 requests
//
// Blank lines are skipped. The body itself is checked per line when it is answered: a bad body
// becomes a 400 line in the error file, as on the real service.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "emulator/openai/batch.hpp"

namespace pipehost::emulator::openai {

inline constexpr std::int64_t kMaxBatchRequests = 50000;
inline constexpr std::size_t kMaxReportedErrors = 100;

struct InputValidation {
  std::vector<BatchError> errors;
  std::int64_t requests = 0;  // request lines
  std::string model;          // body.model of the first line
};

/// Streams the file line by line; throws std::runtime_error when it cannot be read.
InputValidation validate_input(const std::filesystem::path& path, const std::string& endpoint);

}  // namespace pipehost::emulator::openai
