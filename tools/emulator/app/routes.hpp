// Maps (method, path) to an endpoint and a stable route name for stats, e.g.
// "GET /v1beta/batches/{id}" (the API version is kept, ids and models become placeholders).
#pragma once

#include <string>

namespace pipehost::emulator {

enum class Api { gemini, braintrust, anthropic, control, unknown };

enum class Endpoint {
  none,
  // Gemini
  upload_start,
  upload_chunk,
  file_list,
  file_get,
  file_delete,
  file_download,
  batch_create,
  generate_content,
  batch_list,
  batch_get,
  batch_cancel,
  batch_delete,
  // BrainTrust
  bt_login,
  bt_register_project,
  bt_project_by_query,
  bt_version,
  bt_logs3,
  bt_create_project,
  bt_list_projects,
  bt_get_project,
  bt_insert,
  bt_fetch,
  // Anthropic
  anthropic_batch_create,
  anthropic_batch_list,
  anthropic_batch_get,
  anthropic_batch_cancel,
  anthropic_batch_delete,
  anthropic_batch_results,
  anthropic_messages,
  // Control
  control_stats,
  control_get_faults,
  control_set_faults,
  control_reset_stats,
};

struct RouteMatch {
  Api api = Api::unknown;
  Endpoint endpoint = Endpoint::none;
  std::string name;     // for requests_by_route
  std::string version;  // "v1beta" / "v1" (Gemini)
  std::string id;       // file id, batch id (Gemini or Anthropic) or project id
  std::string model;    // bare model id
};

RouteMatch match_route(const std::string& method, const std::string& path, bool has_upload_id);

}  // namespace pipehost::emulator
