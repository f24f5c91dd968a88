// The commands that only look at a run: `report` (the HTML report), `rows` and `calls` (queries over
// the ledger, like `llm logs`). They open the ledger read-only, take no lock and change nothing, so
// they can run beside a live run.
#pragma once

#include <memory>

#include "cli/cli_options.hpp"
#include "services/secret_registry.hpp"

namespace pipehost::cli {

int report_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets);
int rows_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets);
int calls_command(const CliOptions& options);

}  // namespace pipehost::cli
