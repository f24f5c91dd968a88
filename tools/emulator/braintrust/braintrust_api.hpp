// BrainTrust routes: login, project registration/lookup, /version, /logs3 (what the SDKs use) and
// the public REST /v1/project, /v1/project_logs/{id}/insert and /fetch.
#pragma once

#include <string>

#include "emulator/app/emulator_context.hpp"
#include "emulator/braintrust/log_store.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator {

class BraintrustApi {
 public:
  BraintrustApi(EmulatorContext& context, LogStore& store) : context_(context), store_(store) {}

  Response login();
  Response register_project(Request& request);
  Response get_project_by_query(const Request& request);  // GET /api/project?id=
  Response version();
  Response logs3(Request& request);
  Response create_project(Request& request);       // POST /v1/project
  Response list_projects(const Request& request);  // GET /v1/project?project_name=
  Response get_project(const std::string& id);     // GET /v1/project/{id}
  Response insert(Request& request, const std::string& project_id);
  Response fetch(Request& request, const std::string& project_id);

 private:
  EmulatorContext& context_;
  LogStore& store_;
};

/// BrainTrust error body: {"error":{"message":...}} with the given status.
Response braintrust_error(unsigned status, const std::string& message);

}  // namespace pipehost::emulator
