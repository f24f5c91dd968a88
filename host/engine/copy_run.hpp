// A run without a model: copy the source's rows to every sink (a format conversion).
#pragma once

#include <cstdint>

#include "engine/pipeline.hpp"

namespace pipehost::engine {

/// Streams every source row to every sink in input order and commits the sinks. Returns the number
/// of rows copied. Throws RunError; a sink that was not committed leaves no output file.
std::uint64_t copy_rows(Pipeline& pipeline, services::RunServices& run);

}  // namespace pipehost::engine
