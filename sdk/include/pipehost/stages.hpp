// The six stage interfaces a plugin can implement.
//
//   source ──rows──▶ request builder ──requests──▶ provider ──responses──▶ parser ──fields──▶ host
//   host ──rows in input order──▶ sinks;  host ──one event per call──▶ loggers
//
// Every method returns a Status; none may let an exception escape (the SDK's registration wraps
// them, see plugin.hpp, so a stray exception becomes a fatal Status instead of a crash).
// Constructors take a StageContext (and the config struct, with a ConfigSpec) and may throw to reject
// their configuration; they must not touch the network or read secrets (that happens in `start`), so
// `pipehost validate` stays offline.
//
// Threads: the host calls a Source, RequestBuilder, Parser, Sink or Logger from one thread at a time.
// A Provider must be thread-safe: the host runs several batch jobs at once (submit, poll, fetch, find
// and cancel for different jobs concurrently) and several online calls at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/host_services.hpp"
#include "pipehost/status.hpp"
#include "pipehost/types.hpp"

namespace pipehost {

/// The kinds of stage a plugin library can provide.
enum class StageKind : std::uint8_t { source, request_builder, provider, parser, sink, logger };

/// The config name of a stage kind ("source", "request", "provider", "parser", "sink", "logger").
inline const char* to_string(StageKind kind) {
  switch (kind) {
    case StageKind::source:
      return "source";
    case StageKind::request_builder:
      return "request";
    case StageKind::provider:
      return "provider";
    case StageKind::parser:
      return "parser";
    case StageKind::sink:
      return "sink";
    case StageKind::logger:
      return "logger";
  }
  return "unknown";
}

/// What a stage is constructed with.
struct StageContext {
  /// The host's services; valid for the stage's whole life.
  HostServices& host;
  /// This stage's config section as JSON object text, without the "plugin" key, already validated
  /// against the stage's config schema. String properties whose schema says `"format": "path"` are
  /// already absolute (relative paths resolve against the config file's folder).
  std::string config_json;
  /// Folder of the config file, for anything else relative.
  std::string config_dir;
  /// Where this section sits in the config, as a JSON pointer (e.g. "/sinks/1"), for error messages.
  std::string config_pointer;
};

/// Base of every stage object. The host destroys stage objects before unloading their library.
class Stage {
 public:
  virtual ~Stage() = default;
};

/// Yields the input rows. Sources are re-readable: the host calls `open` again to re-read from the
/// start (resume, export). Memory must not grow with the input size. A row's key must not be empty;
/// a repeated key is passed on, the host refuses it or tells repeats apart (run.allow_duplicate_keys).
class Source : public Stage {
 public:
  static constexpr StageKind kKind = StageKind::source;
  /// (Re)starts at the first row and reports the column names. A malformed input should be
  /// reported here or in `read` with "file:line:column: what".
  virtual Status open(std::vector<std::string>& columns) = 0;
  /// Replaces `batch` with up to `max_rows` next rows; an empty batch means the end.
  virtual Status read(std::vector<Row>& batch, std::size_t max_rows) = 0;
};

/// Turns a row into a provider-neutral Request.
class RequestBuilder : public Stage {
 public:
  static constexpr StageKind kKind = StageKind::request_builder;
  /// Called once with the source's columns before any `build`; reject unknown placeholders here.
  virtual Status bind(const std::vector<std::string>& columns) = 0;
  /// Builds the request for `row` (whose values line up with the bound columns).
  virtual Status build(const Row& row, Request& request) = 0;
};

/// Talks to a model service, in batch mode, online mode, or both. Defaults say "not supported".
class Provider : public Stage {
 public:
  static constexpr StageKind kKind = StageKind::provider;
  virtual Status capabilities(ProviderCapabilities& capabilities) = 0;
  /// The model this provider calls, its token prices and its tools' fees (no network).
  virtual Status model(ModelInfo& info) = 0;
  /// Checks credentials and settings before the run sends anything (e.g. reads the API key).
  /// Not called by `pipehost validate` or `--dry-run`.
  virtual Status start() { return Status::ok(); }
  /// Bytes this request adds to a batch job (for max_bytes_per_job planning). An estimate is fine
  /// as long as it does not undercount.
  virtual Status encoded_size(const Request& request, std::uint64_t& bytes) {
    bytes = request.user_parts.empty() ? 0 : request.user_parts.front().size();
    return Status::ok();
  }

  // --- batch mode ---
  /// Uploads `requests` and creates one job named `display_name`; sets `handle` (provider's id).
  /// The host records `display_name` durably before calling, so after a crash it can call `find`.
  virtual Status submit(const std::string& display_name, const std::vector<Request>& requests,
                        std::string& handle) {
    (void)display_name, (void)requests, (void)handle;
    return Status::fatal("batch mode is not supported by this provider");
  }
  virtual Status poll(const std::string& handle, JobStatus& status) {
    (void)handle, (void)status;
    return Status::fatal("batch mode is not supported by this provider");
  }
  /// Streams the finished job's responses, in any order, one call of `on_response` each. A non-ok
  /// return from `on_response` stops the fetch and is returned.
  virtual Status fetch(const std::string& handle, const std::function<Status(Response&&)>& on_response) {
    (void)handle, (void)on_response;
    return Status::fatal("batch mode is not supported by this provider");
  }
  virtual Status cancel(const std::string& handle) {
    (void)handle;
    return Status::fatal("batch mode is not supported by this provider");
  }
  /// JobLookup::by_name: looks for an existing job with this display name; leaves `handle` empty if
  /// there is none.
  virtual Status find(const std::string& display_name, std::string& handle) {
    (void)display_name, (void)handle;
    return Status::fatal("this provider cannot find a job by name");
  }
  /// JobLookup::by_listing: the jobs created at or after `created_since` (Unix seconds), newest or
  /// oldest first, with their request counts.
  virtual Status list_jobs(double created_since, std::vector<JobSummary>& jobs) {
    (void)created_since, (void)jobs;
    return Status::fatal("this provider cannot list its jobs");
  }

  // --- online mode ---
  /// One synchronous call. Called from several host threads at once (up to the host's concurrency).
  /// Per-call failures go in `response.error` with ok status; a non-ok status means the transport
  /// failed (the host retries it when the status is retry).
  virtual Status call(const Request& request, Response& response) {
    (void)request, (void)response;
    return Status::fatal("online mode is not supported by this provider");
  }
};

/// Turns a response text into output fields.
class Parser : public Stage {
 public:
  static constexpr StageKind kKind = StageKind::parser;
  /// The output (AI) columns, in order.
  virtual Status columns(std::vector<Column>& columns) = 0;
  /// Fills `fields` (one typed value per output column). An answer that cannot be used returns retry
  /// with the precise reason; the host marks the row failed and may send it again.
  virtual Status parse(std::string_view text, std::vector<Value>& fields) = 0;
};

/// Writes output rows, in input order. Output becomes visible only on `commit`; a sink destroyed
/// without `commit` must not leave a partial file under the final name.
class Sink : public Stage {
 public:
  static constexpr StageKind kKind = StageKind::sink;
  /// The output columns: the input's, the parser's (with their types and list separators), then
  /// `_status` and `_error` in a model run.
  virtual Status open(const std::vector<Column>& columns) = 0;
  virtual Status write(const std::vector<Row>& rows) = 0;
  virtual Status commit() = 0;
};

/// Observes every model call. Must not block the pipeline for long and must not lose events.
class Logger : public Stage {
 public:
  static constexpr StageKind kKind = StageKind::logger;
  /// Checks credentials and resolves remote state before the provider sends anything.
  virtual Status start() { return Status::ok(); }
  /// Queues one event (may block briefly for back-pressure).
  virtual Status log(const CallEvent& event) = 0;
  /// Waits until every queued event is delivered or durably set aside; reports counts.
  virtual Status flush(std::uint64_t& delivered, std::uint64_t& set_aside) = 0;
};

}  // namespace pipehost
