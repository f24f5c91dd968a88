#include "emulator/app/emulator.hpp"

#include <fstream>
#include <iostream>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/json.hpp>

#include "emulator/gemini/google_error.hpp"
#include "emulator/tls/self_signed_certificate.hpp"

namespace pipehost::emulator {

namespace {

std::filesystem::path prepare_state_dir(const EmulatorSettings& settings, bool& temporary) {
  if (settings.state_dir) {
    std::filesystem::create_directories(*settings.state_dir);
    temporary = false;
    return std::filesystem::absolute(*settings.state_dir);
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "pipehost-emulator-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary state directory");
  temporary = true;
  return pattern;
}

void write_text_file(const std::filesystem::path& path, const std::string& text, bool secret) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  if (secret)
    std::filesystem::permissions(path,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::string trim(std::string text) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

/// The target with any `key=` query value hidden, for request logs.
std::string redact_target(const std::string& target) {
  std::string out = target;
  for (std::size_t at = out.find("key="); at != std::string::npos; at = out.find("key=", at + 1)) {
    if (at > 0 && out[at - 1] != '?' && out[at - 1] != '&') continue;
    std::size_t end = out.find('&', at);
    out.replace(at + 4, (end == std::string::npos ? out.size() : end) - (at + 4), "REDACTED");
  }
  return out;
}

}  // namespace

Emulator::Emulator(EmulatorSettings settings)
    : settings_(std::move(settings)),
      context_(prepare_state_dir(settings_, temporary_state_dir_), settings_.seed, settings_.faults),
      files_(context_.state_dir / "files"),
      files_api_(context_, files_),
      gemini_model_(context_.faults),
      batches_api_(context_, files_, gemini_model_),
      braintrust_api_(context_, logs_),
      openai_(context_, settings_.openai_key),
      anthropic_api_(context_, settings_.anthropic_key) {}

Emulator::~Emulator() {
  stop();
  if (temporary_state_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(context_.state_dir, ignored);
  }
}

void Emulator::start() {
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (settings_.tls) {
    CertificateAndKey identity = generate_self_signed_certificate();
    ca_file_ = (context_.state_dir / "tls" / "ca.pem").string();
    write_text_file(ca_file_, identity.certificate_pem, false);
    write_text_file(context_.state_dir / "tls" / "key.pem", identity.private_key_pem, true);
    tls = make_server_tls_context(identity);
  }
  server_ =
      std::make_unique<HttpServer>(settings_.port, tls, [this](Request& request) { return handle(request); });
  server_->start();
  context_.base_url =
      std::string(settings_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(server_->port());
}

void Emulator::stop() {
  if (server_) server_->stop();
  batches_api_.shutdown();
  openai_.shutdown();
  anthropic_api_.shutdown();
}

Response Emulator::handle(Request& request) {
  RouteMatch route = match_route(request.method, request.path, request.has_query("upload_id"));
  Response response;
  if (route.api == Api::control) {
    response = handle_control(route, request);
  } else if (auto openai_route = openai_.route(request, route.api == Api::gemini)) {
    context_.stats.add_keyed("requests_by_route", openai_route->name);
    response = openai_.handle(*openai_route, request);
  } else {
    context_.stats.add_keyed("requests_by_route", route.name);
    if (route.api == Api::anthropic) {
      response = anthropic_api_.handle(route, request);
    } else {
      response =
          route.api == Api::braintrust ? handle_braintrust(route, request) : handle_gemini(route, request);
    }
  }
  if (settings_.log_requests) {
    std::cerr << "pipehost-emulator: " << request.method << ' ' << redact_target(request.target) << " -> "
              << response.status << std::endl;
  }
  return response;
}

Response Emulator::handle_control(const RouteMatch& route, Request& request) {
  auto error = [](unsigned status, const std::string& message) {
    return Response::json(status, boost::json::serialize(boost::json::object{{"error", message}}));
  };
  switch (route.endpoint) {
    case Endpoint::control_stats:
      return Response::json(200, stats_json());
    case Endpoint::control_get_faults:
      return Response::json(
          200, boost::json::serialize(boost::json::object{{"faults", context_.faults.config().to_spec()}}));
    case Endpoint::control_set_faults: {
      std::string spec = trim(request.body->read_all(64 * 1024));
      if (!spec.empty() && spec.front() == '{') {
        boost::system::error_code ec;
        auto parsed = boost::json::parse(spec, ec);
        const boost::json::object* object = ec ? nullptr : parsed.if_object();
        auto it = object ? object->find("spec") : nullptr;
        if (!object || it == object->end() || !it->value().is_string()) {
          return error(400, "expected a SPEC text or {\"spec\": \"...\"}");
        }
        spec = std::string(it->value().get_string());
      }
      try {
        context_.faults.configure(FaultConfig::parse(spec));
      } catch (const std::invalid_argument& bad) {
        return error(400, bad.what());
      }
      return Response::json(
          200, boost::json::serialize(boost::json::object{{"faults", context_.faults.config().to_spec()}}));
    }
    case Endpoint::control_reset_stats:
      context_.stats.reset();
      context_.faults.reset_counters();
      gemini_model_.reset_stats();
      openai_.reset_stats();
      anthropic_api_.reset_stats();
      return Response::json(200, "{}");
    default:
      return error(404, "unknown control route " + route.name);
  }
}

std::string Emulator::stats_json() const {
  boost::json::object out = context_.stats.to_json();
  out["braintrust_events"] = logs_.distinct_rows();
  boost::json::object by_state;
  for (const auto& [state, count] : batches_api_.count_by_state()) by_state[state] = count;
  out["batches_by_state"] = std::move(by_state);
  boost::json::object injected;
  for (const auto& [fault, count] : context_.faults.injected()) injected[fault] = count;
  out["faults_injected"] = std::move(injected);
  out["faults"] = context_.faults.config().to_spec();
  out["files"] = static_cast<std::int64_t>(files_.list().size());
  out["gemini"] = gemini_model_.stats_json();
  out["openai"] = openai_.stats_json();
  out["anthropic"] = anthropic_api_.stats_json();
  return boost::json::serialize(out);
}

Response Emulator::handle_gemini(const RouteMatch& route, Request& request) {
  if (route.api == Api::unknown) {
    return google_error(404, "NOT_FOUND",
                        "The requested URL " + request.path + " was not found on this server.");
  }
  if (context_.faults.draw_http_5xx()) {
    if (context_.faults.next_choice() % 2 == 0) {
      return google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
    }
    return google_error(500, "INTERNAL",
                        "An internal error has occurred. Please retry or report in "
                        "https://developers.generativeai.google/guide/troubleshooting");
  }
  // Upload chunks are authorised by their upload_id, as on the real service.
  if (route.endpoint != Endpoint::upload_chunk) {
    std::string key = request.header("x-goog-api-key");
    if (request.has_query("key")) {
      context_.stats.add("key_in_query");
      if (key.empty()) key = request.query_value("key");
    }
    if (key.empty()) {
      context_.stats.add("auth_failures");
      return google_error(403, "PERMISSION_DENIED",
                          "Method doesn't allow unregistered callers (callers without established identity). "
                          "Please use API Key or other form of API consumer identity to call this API.");
    }
    if (settings_.gemini_key && key != *settings_.gemini_key) {
      context_.stats.add("auth_failures");
      return google_error(
          400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
          boost::json::array{boost::json::object{
              {"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
              {"reason", "API_KEY_INVALID"},
              {"domain", "googleapis.com"},
              {"metadata", boost::json::object{{"service", "generativelanguage.googleapis.com"}}}}});
    }
    // A careless server (or proxy) that quotes the caller's key in an error: clients must not let it
    // reach their logs, ledgers or outputs.
    if (context_.faults.draw_echo_key()) {
      return google_error(400, "INVALID_ARGUMENT",
                          "API key " + key + " is not allowed to make this request (emulated fault)");
    }
  }
  try {
    return dispatch_gemini(route, request);
  } catch (const HttpError& error) {
    return google_error(error);
  }
}

Response Emulator::dispatch_gemini(const RouteMatch& route, Request& request) {
  switch (route.endpoint) {
    case Endpoint::upload_start:
      return files_api_.start_upload(request, route.version);
    case Endpoint::upload_chunk:
      return files_api_.upload_chunk(request);
    case Endpoint::file_list:
      return files_api_.list(request);
    case Endpoint::file_get:
      return files_api_.get(route.id);
    case Endpoint::file_delete:
      return files_api_.remove(route.id);
    case Endpoint::file_download:
      return files_api_.download(request, route.id);
    case Endpoint::batch_create:
      return batches_api_.create(request, route.model);
    case Endpoint::batch_list:
      return batches_api_.list(request);
    case Endpoint::batch_get:
      return batches_api_.get(route.id);
    case Endpoint::batch_cancel:
      return batches_api_.cancel(route.id);
    case Endpoint::batch_delete:
      return batches_api_.remove(route.id);
    case Endpoint::generate_content: {
      context_.stats.add("generate_content_calls");
      std::string body = request.body->read_all();
      boost::system::error_code ec;
      auto parsed = boost::json::parse(body, ec);
      if (ec || !parsed.is_object())
        throw HttpError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
      AnswerForm form;
      form.fenced = context_.faults.draw_fenced();
      form.prose = context_.faults.draw_prose();
      GeminiAnswer answer = gemini_model_.answer(parsed.get_object(), "", route.model, form);
      if (answer.refused) return google_error(answer.error);
      return Response::json(200, boost::json::serialize(answer.response));
    }
    default:
      throw HttpError(404, "NOT_FOUND", "not found");
  }
}

Response Emulator::handle_braintrust(const RouteMatch& route, Request& request) {
  if (context_.faults.draw_http_5xx() || context_.faults.draw_bt_5xx()) {
    return braintrust_error(503, "Service temporarily unavailable (emulated fault)");
  }
  std::string authorization = trim(request.header("Authorization"));
  std::string key;
  if (authorization.size() > 7 && strncasecmp(authorization.c_str(), "Bearer ", 7) == 0) {
    key = trim(authorization.substr(7));
  }
  if (key.empty() || (settings_.braintrust_key && key != *settings_.braintrust_key)) {
    context_.stats.add("auth_failures");
    return braintrust_error(401, key.empty()
                                     ? "Missing or malformed Authorization header (expected Bearer <key>)"
                                     : "Invalid API key");
  }
  try {
    return dispatch_braintrust(route, request);
  } catch (const HttpError& error) {
    return braintrust_error(error.status, error.message);
  }
}

Response Emulator::dispatch_braintrust(const RouteMatch& route, Request& request) {
  switch (route.endpoint) {
    case Endpoint::bt_login:
      return braintrust_api_.login();
    case Endpoint::bt_register_project:
      return braintrust_api_.register_project(request);
    case Endpoint::bt_project_by_query:
      return braintrust_api_.get_project_by_query(request);
    case Endpoint::bt_version:
      return braintrust_api_.version();
    case Endpoint::bt_logs3:
      return braintrust_api_.logs3(request);
    case Endpoint::bt_create_project:
      return braintrust_api_.create_project(request);
    case Endpoint::bt_list_projects:
      return braintrust_api_.list_projects(request);
    case Endpoint::bt_get_project:
      return braintrust_api_.get_project(route.id);
    case Endpoint::bt_insert:
      return braintrust_api_.insert(request, route.id);
    case Endpoint::bt_fetch:
      return braintrust_api_.fetch(request, route.id);
    default:
      throw HttpError(404, "NOT_FOUND", "not found");
  }
}

}  // namespace pipehost::emulator
