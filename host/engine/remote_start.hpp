// Starting the stages that talk to services (loggers, then the provider) before a run sends
// anything, and what a failed start means:
//  - refused for good (a fatal status: a key the service rejects, an unknown project): bad config,
//    config::ConfigError (exit 2);
//  - the service could not be reached (a retry status: network down, 5xx): RunError (exit 3, run again
//    later) — except for a logger whose section says "required": false, which the run goes on without,
//    with a warning. Such a logger still gets every event (log and flush); it keeps them for a later
//    run (braintrust-log journals them and delivers them at its next successful start).
#pragma once

#include "engine/pipeline.hpp"

namespace pipehost::engine {

void start_remote_stages(Pipeline& pipeline);

}  // namespace pipehost::engine
