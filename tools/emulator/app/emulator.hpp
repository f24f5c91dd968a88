// The whole emulator: state dir, TLS identity, the APIs and the HTTP server, plus the request
// pipeline every request goes through (route → count → faults → auth → handler).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "emulator/anthropic/anthropic_api.hpp"
#include "emulator/app/emulator_context.hpp"
#include "emulator/app/options.hpp"
#include "emulator/app/routes.hpp"
#include "emulator/braintrust/braintrust_api.hpp"
#include "emulator/braintrust/log_store.hpp"
#include "emulator/gemini/batches_api.hpp"
#include "emulator/gemini/content_generator.hpp"
#include "emulator/gemini/file_store.hpp"
#include "emulator/gemini/files_api.hpp"
#include "emulator/openai/openai_api.hpp"
#include "emulator/server/http_server.hpp"

namespace pipehost::emulator {

class Emulator {
 public:
  explicit Emulator(EmulatorSettings settings);
  ~Emulator();  // stops, and removes the state dir when it was a temporary one

  /// Binds the port and starts serving; base_url() is valid afterwards.
  void start();
  void stop();

  std::string base_url() const { return context_.base_url; }
  /// The PEM certificate clients should trust (empty without TLS).
  std::string ca_file() const { return ca_file_; }
  const std::filesystem::path& state_dir() const { return context_.state_dir; }

  /// The request pipeline (public so tests can drive it without a socket).
  Response handle(Request& request);

 private:
  Response handle_control(const RouteMatch& route, Request& request);
  Response handle_gemini(const RouteMatch& route, Request& request);
  Response handle_braintrust(const RouteMatch& route, Request& request);
  Response dispatch_gemini(const RouteMatch& route, Request& request);
  Response dispatch_braintrust(const RouteMatch& route, Request& request);
  std::string stats_json() const;

  EmulatorSettings settings_;
  bool temporary_state_dir_ = false;
  EmulatorContext context_;
  std::string ca_file_;
  FileStore files_;
  LogStore logs_;
  FilesApi files_api_;
  ContentGenerator gemini_model_;  // shared by batches and generateContent (one implicit cache)
  BatchesApi batches_api_;
  BraintrustApi braintrust_api_;
  openai::OpenAiApi openai_;
  anthropic::AnthropicApi anthropic_api_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace pipehost::emulator
