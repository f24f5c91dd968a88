#include "http_client.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "body_source.hpp"
#include "connection.hpp"
#include "connection_pool.hpp"
#include "line_resume.hpp"
#include "proxy.hpp"
#include "response_sink.hpp"
#include "retry.hpp"
#include "tls.hpp"
#include "url.hpp"

namespace pipehost::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kReadPiece = 256 * 1024;
constexpr std::uint32_t kHeaderLimit = 256 * 1024;
/// Idle pooled connections older than this are closed rather than reused (servers drop idle ones).
constexpr milliseconds kMaxIdleTime{30000};
constexpr std::string_view kUserAgent = "pipehost/0.1";

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// Headers whose values are credentials: never logged, stripped on cross-origin redirects.
bool is_sensitive_header(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "authorization", "proxy-authorization", "x-goog-api-key", "x-api-key", "api-key",
      "cookie",        "set-cookie"};
  return std::any_of(kNames.begin(), kNames.end(),
                     [&](std::string_view n) { return equals_ignore_case(n, name); });
}

/// Headers the client writes itself.
bool is_managed_header(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kNames = {"host", "content-length", "transfer-encoding",
                                                             "connection"};
  return std::any_of(kNames.begin(), kNames.end(),
                     [&](std::string_view n) { return equals_ignore_case(n, name); });
}

bool is_token_char(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

Status validate_header(const HttpHeader& header) {
  if (header.name.empty() || !std::all_of(header.name.begin(), header.name.end(), [](char c) {
        return is_token_char(static_cast<unsigned char>(c));
      })) {
    return Status::fatal("invalid header name '" + header.name + "'");
  }
  for (char c : header.value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return Status::fatal("header '" + header.name + "' has a line break or NUL in its value");
    }
  }
  return Status::ok();
}

bool is_idempotent(http::verb verb) {
  return verb == http::verb::get || verb == http::verb::head || verb == http::verb::options ||
         verb == http::verb::put || verb == http::verb::delete_ || verb == http::verb::trace;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string duration_text(milliseconds duration) {
  char buffer[32];
  if (duration.count() < 1000) {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(duration.count()));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(duration.count()) / 1000.0);
  }
  return buffer;
}

/// A request's headers plus what the client needs to keep secrets out of text.
struct PreparedHeaders {
  std::vector<HttpHeader> headers;
  std::vector<std::string> secret_values;
};

/// What one request/response exchange on one connection produced.
struct Exchange {
  Status status;
  /// Some byte of the response arrived (so the connection was alive).
  bool response_started = false;
  /// The connection can carry another request.
  bool keep_alive = false;
  /// The caller's line callback already saw data (no silent retry possible).
  bool delivered = false;
  /// The response's destination refused data (the line callback said stop, the file could not be
  /// written): never retried.
  bool sink_failed = false;
  /// The redirect target, when this response is a redirect the client will follow.
  bool follow_redirect = false;
};

class BeastHttpClient final : public HttpClient {
 public:
  BeastHttpClient(const HttpClientOptions& options, HttpEnvironment environment,
                  std::shared_ptr<boost::asio::ssl::context> tls, ProxySettings proxies)
      : options_(options),
        env_(std::move(environment)),
        tls_(std::move(tls)),
        proxies_(std::move(proxies)),
        pool_(options.max_idle_per_host, kMaxIdleTime) {}

  Status send(const HttpRequest& request, HttpResponse& response) noexcept override {
    try {
      return send_with_retries(request, response);
    } catch (const std::exception& e) {
      return Status::fatal(
          redact("HTTP " + request.method + " " + redact_url(request.url) + ": " + e.what(), {}));
    } catch (...) {
      return Status::fatal("HTTP " + request.method + ": unknown error");
    }
  }

  HttpClientStats stats() const {
    HttpClientStats out;
    out.connections_opened = opened_.load();
    out.connections_reused = reused_.load();
    out.stale_retries = stale_.load();
    out.retries = retries_.load();
    out.line_resumes = line_resumes_.load();
    return out;
  }

 private:
  // ---- helpers around the environment ----
  void log(LogLevel level, const std::string& message, const PreparedHeaders& headers) const {
    if (env_.log) env_.log(level, redact(message, headers));
  }

  std::string redact(std::string text, const PreparedHeaders& headers) const {
    for (const auto& secret : headers.secret_values) {
      if (secret.size() < 4) continue;  // too short to search for safely; such keys are not real keys
      for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "[REDACTED]");
      }
    }
    return env_.redact ? env_.redact(text) : text;
  }

  bool cancelled() const { return env_.cancelled && env_.cancelled(); }

  bool sleep(milliseconds duration) const {
    if (env_.sleep_for) return env_.sleep_for(duration);
    std::this_thread::sleep_for(duration);
    return true;
  }

  /// Plain HTTP to a host that is not loopback: refused when the host says so, else warned about once.
  Status check_plain_http(const Url& url, const PreparedHeaders& headers) {
    if (url.tls() || is_loopback_host(url.host)) return Status::ok();
    if (!env_.refuse_plain_http.empty())
      return Status::fatal(
          "refusing plain http:// to " + url.authority() +
          ", which is not a loopback address: the traffic, API keys included, would be readable "
          "on the network; " +
          env_.refuse_plain_http);
    std::lock_guard lock(mutex_);
    if (!warned_plain_.insert(url.authority()).second) return Status::ok();
    log(LogLevel::warn,
        "HTTP without TLS to non-loopback host " + url.authority() +
            ": traffic (including API keys) is readable "
            "on the network",
        headers);
    return Status::ok();
  }

  void report_attempt(const Url& url, const Exchange& result, const HttpResponse& response,
                      const PreparedHeaders& headers) {
    if (!env_.on_attempt || cancelled()) return;
    AttemptReport report;
    report.origin = url.scheme + "://" + url.authority();
    if (result.status.is_ok()) {
      report.reached = !is_retryable_status(response.status);
      if (!report.reached) report.error = "HTTP " + std::to_string(response.status);
    } else {
      report.error = redact(result.status.message(), headers);
    }
    env_.on_attempt(report);
  }

  // ---- one attempt on one connection ----
  template <class Stream>
  Exchange exchange(Stream& stream, Connection& connection, const Url& url, http::verb verb,
                    const std::string& method, const PreparedHeaders& headers, BodySource& body,
                    const HttpRequest& request, HttpResponse& response, bool may_redirect,
                    LineResume* resume) {
    Exchange result;
    auto& runner = connection.runner();
    auto io_deadline = [&] { return Clock::now() + request.io_timeout; };
    auto abort = [&] { connection.abort(); };
    auto failure = [&](const IoResult& io, const std::string& what) {
      if (io.cancelled) return Status::retry(what + ": cancelled");
      if (io.timed_out)
        return Status::retry(what + ": no data for " + duration_text(request.io_timeout) + " (timed out)");
      return Status::retry(what + ": " + io.error.message());
    };

    // Request line and headers.
    http::request<http::buffer_body> message;
    message.method(verb);
    if (verb == http::verb::unknown) message.method_string(method);
    message.target(connection.absolute_form() ? url.str() : url.target);
    message.version(11);
    message.set(http::field::host, url.host_header());
    bool has_agent = false;
    // A multipart body names its own boundary: the caller's Content-Type cannot be right.
    std::string body_type = body.content_type();
    for (const auto& header : headers.headers) {
      if (is_managed_header(header.name)) continue;
      if (!body_type.empty() && equals_ignore_case(header.name, "content-type")) continue;
      has_agent = has_agent || equals_ignore_case(header.name, "user-agent");
      message.insert(header.name, header.value);
    }
    if (!has_agent) message.set(http::field::user_agent, kUserAgent);
    if (!body_type.empty()) message.set(http::field::content_type, body_type);
    auto length = body.length();
    bool needs_length = verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch;
    if (!length) {
      message.chunked(true);
    } else if (*length > 0 || needs_length) {
      message.content_length(*length);
    }
    message.body().data = nullptr;
    message.body().more = true;

    http::request_serializer<http::buffer_body> serializer{message};
    auto wrote = runner.run([&](auto handler) { http::async_write_header(stream, serializer, handler); },
                            abort, io_deadline());
    if (!wrote.ok()) {
      result.status = failure(wrote, "sending the request");
      return result;
    }

    // Body, piece by piece.
    std::uint64_t sent = 0;
    bool has_body = !length || *length > 0;
    while (has_body) {
      std::string_view piece;
      Status next = body.next(piece);
      if (!next.is_ok()) {
        result.status = next;
        return result;
      }
      message.body().data = piece.empty() ? nullptr : const_cast<char*>(piece.data());
      message.body().size = piece.size();
      message.body().more = !piece.empty();
      auto io = runner.run([&](auto handler) { http::async_write(stream, serializer, handler); }, abort,
                           io_deadline());
      if (io.error == http::error::need_buffer) io.error = {};
      if (!io.ok()) {
        std::string total = length ? " of " + std::to_string(*length) : "";
        result.status = failure(
            io, "connection lost while sending the body after " + std::to_string(sent) + total + " bytes");
        return result;
      }
      sent += piece.size();
      if (piece.empty()) break;
    }

    // Status line and headers (skipping interim 1xx answers).
    auto& buffer = connection.read_buffer();
    std::optional<http::response_parser<http::buffer_body>> parser;
    while (true) {
      parser.emplace();
      parser->header_limit(kHeaderLimit);
      parser->body_limit(boost::none);
      if (verb == http::verb::head) parser->skip(true);
      auto io = runner.run([&](auto handler) { http::async_read_header(stream, buffer, *parser, handler); },
                           abort, io_deadline());
      result.response_started = result.response_started || parser->got_some();
      if (!io.ok()) {
        result.status = failure(io, "waiting for the response");
        return result;
      }
      int code = static_cast<int>(parser->get().result_int());
      if (code >= 200 || code == 101) break;
    }

    auto& head = parser->get();
    response.status = static_cast<int>(head.result_int());
    response.headers.clear();
    for (const auto& field : head) {
      response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    result.follow_redirect =
        may_redirect && is_redirect(response.status) && !response.header("location").empty();

    ResponseSink sink(request, response, resume);
    Status began = sink.begin(response.status, result.follow_redirect);
    if (!began.is_ok()) {
      result.status = began;
      return result;
    }

    std::vector<char> piece(kReadPiece);
    std::uint64_t received = 0;  // body bytes of this answer
    while (!parser->is_done()) {
      parser->get().body().data = piece.data();
      parser->get().body().size = piece.size();
      auto io = runner.run([&](auto handler) { http::async_read(stream, buffer, *parser, handler); }, abort,
                           io_deadline());
      if (io.error == http::error::need_buffer) io.error = {};
      std::size_t got = piece.size() - parser->get().body().size;
      if (got > 0) {
        received += got;
        Status wrote_piece = sink.write(std::string_view(piece.data(), got));
        result.delivered = sink.delivered();
        if (!wrote_piece.is_ok()) {
          result.status = wrote_piece;
          result.sink_failed = true;
          return result;
        }
      }
      if (!io.ok()) {
        std::string expected;
        if (auto total = parser->content_length()) expected = " of " + std::to_string(*total);
        std::string what = "response body truncated: connection ";
        what += io.error == http::error::partial_message || io.error == boost::asio::error::eof ? "closed"
                                                                                                : "failed";
        what += " after " + std::to_string(received) + expected + " bytes";
        if (io.timed_out || io.cancelled) what = "response body after " + std::to_string(received) + " bytes";
        result.status = failure(io, what);
        return result;
      }
    }
    Status finished = sink.finish();
    result.delivered = sink.delivered();
    if (!finished.is_ok()) {
      result.status = finished;
      result.sink_failed = true;
      return result;
    }
    result.keep_alive = parser->keep_alive();
    return result;
  }

  /// Runs one exchange on a pooled connection (replaced by a fresh one once if it turns out dead) or on
  /// a new connection.
  Exchange send_once(const Url& url, http::verb verb, const std::string& method,
                     const PreparedHeaders& headers, BodySource& body, const HttpRequest& request,
                     HttpResponse& response, bool may_redirect, LineResume* resume) {
    std::string origin = url.scheme + "://" + url.authority();
    auto connection = pool_.take(origin);
    bool reused = connection != nullptr;
    while (true) {
      if (!connection) {
        connection = std::make_unique<Connection>(url.tls() ? tls_ : nullptr, !options_.insecure_skip_verify,
                                                  env_.cancelled);
        Status opened = connection->open(url, proxies_.proxy_for(url), request.connect_timeout);
        if (!opened.is_ok()) {
          Exchange failed;
          failed.status = opened;
          return failed;
        }
        ++opened_;
      } else {
        ++reused_;
      }
      response = HttpResponse{};
      Exchange result = connection->with_stream([&](auto& stream) {
        return exchange(stream, *connection, url, verb, method, headers, body, request, response,
                        may_redirect, resume);
      });
      bool dead_pooled = reused && result.status.is_retry() && !result.response_started && !cancelled();
      // Only idempotent requests are replayed: a POST may have been received and acted on before the
      // connection broke (a batch created twice is paid twice); the caller's RetryPolicy decides.
      if (dead_pooled && is_idempotent(verb) && body.replayable() && body.rewind().is_ok()) {
        // The server closed the idle connection just as we used it: not a failure of the request.
        ++stale_;
        log(LogLevel::debug,
            "pooled connection to " + url.authority() + " was closed by the server; reconnecting", headers);
        connection.reset();
        reused = false;
        continue;
      }
      if (result.status.is_ok() && result.keep_alive) pool_.give_back(origin, std::move(connection));
      return result;
    }
  }

  /// One attempt: the request and the redirects it leads to.
  Exchange send_following_redirects(const HttpRequest& request, const Url& start, PreparedHeaders& headers,
                                    BodySource& body, HttpResponse& response, LineResume* resume) {
    Url url = start;
    std::string method = request.method;
    BodySource* current_body = &body;
    std::unique_ptr<BodySource> no_body;
    for (int redirects = 0;; ++redirects) {
      http::verb verb = http::string_to_verb(method);
      if (Status allowed = check_plain_http(url, headers); !allowed.is_ok()) {
        Exchange refused;
        refused.status = allowed;
        return refused;
      }
      Exchange result = send_once(url, verb, method, headers, *current_body, request, response,
                                  redirects < request.max_redirects, resume);
      if (!result.status.is_ok() || !result.follow_redirect) return result;

      Url next;
      Status resolved = resolve_location(url, response.header("location"), next);
      if (!resolved.is_ok()) {
        result.status = resolved.with_context("redirect from " + redact_url(url.str()));
        return result;
      }
      if (url.tls() && !next.tls()) {
        result.status =
            Status::fatal("refusing redirect from https to plain http (" + redact_url(next.str()) + ")");
        return result;
      }
      int status = response.status;
      if (status == 303 ||
          ((status == 301 || status == 302) && verb != http::verb::get && verb != http::verb::head)) {
        method = "GET";
        static const HttpRequest kNoBody;
        BodySource::open(kNoBody, no_body);
        current_body = no_body.get();
      } else {
        Status rewound = current_body->rewind();
        if (!rewound.is_ok()) {
          result.status = rewound.with_context("cannot follow HTTP " + std::to_string(status) + " redirect");
          return result;
        }
      }
      if (next.scheme != url.scheme || next.host != url.host || next.port != url.port) {
        // Credentials are for the origin they were meant for.
        std::erase_if(headers.headers, [](const HttpHeader& h) { return is_sensitive_header(h.name); });
      }
      log(LogLevel::debug,
          "HTTP " + std::to_string(status) + " redirect " + redact_url(url.str()) + " -> " +
              redact_url(next.str()),
          headers);
      url = next;
    }
  }

  Status send_with_retries(const HttpRequest& request, HttpResponse& response) {
    PreparedHeaders headers;
    headers.headers = request.headers;
    for (const auto& header : request.headers) {
      if (is_sensitive_header(header.name)) headers.secret_values.push_back(header.value);
    }
    std::string where = "HTTP " + request.method + " " + redact_url(request.url);
    auto fail = [&](const Status& status) {
      Status out = status.is_retry() ? Status::retry(redact(where + ": " + status.message(), headers),
                                                     status.retry_after_ms())
                                     : Status::fatal(redact(where + ": " + status.message(), headers));
      return out;
    };

    Url url;
    Status parsed = parse_url(request.url, url);
    if (!parsed.is_ok()) return fail(parsed);
    for (const auto& header : request.headers) {
      Status valid = validate_header(header);
      if (!valid.is_ok()) return fail(valid);
    }
    if (request.method.empty() || !std::all_of(request.method.begin(), request.method.end(), [](char c) {
          return is_token_char(static_cast<unsigned char>(c));
        })) {
      return fail(Status::fatal("invalid method"));
    }
    if (!request.body_producer && request.body_producer_length) {
      return fail(Status::fatal("body_producer_length set without a body_producer"));
    }
    std::unique_ptr<BodySource> body;
    Status opened = BodySource::open(request, body);
    if (!opened.is_ok()) return fail(opened);
    std::optional<LineResume> resume;
    if (request.resume_lines) {
      Status resumable = resume.emplace().prepare(request);
      if (!resumable.is_ok()) return fail(resumable);
    }
    LineResume* resume_state = resume ? &*resume : nullptr;

    const RetryPolicy& policy = request.retry;
    int max_attempts = std::max(1, policy.max_attempts);
    auto first_start = Clock::now();
    Backoff backoff(policy);
    for (int attempt = 1;; ++attempt) {
      if (cancelled()) return fail(Status::retry("cancelled"));
      if (attempt > 1) {
        Status rewound = body->rewind();
        if (!rewound.is_ok()) return fail(rewound);
      }
      bool resuming = resume && resume->resuming();
      if (resuming) {
        std::erase_if(headers.headers,
                      [](const HttpHeader& h) { return equals_ignore_case(h.name, "range"); });
        headers.headers.push_back({"Range", resume->range()});
      }
      auto started = Clock::now();
      response = HttpResponse{};
      Exchange result = send_following_redirects(request, url, headers, *body, response, resume_state);
      report_attempt(url, result, response, headers);
      auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);

      std::optional<milliseconds> retry_after;
      std::string reason;
      if (result.status.is_ok()) {
        log(LogLevel::debug,
            where + " -> " + std::to_string(response.status) + " (" + duration_text(took) + ", " +
                std::to_string(response.body_bytes) + " bytes)",
            headers);
        if (!is_retryable_status(response.status) || result.delivered) return Status::ok();
        reason = "HTTP " + std::to_string(response.status);
        auto header = response.header("retry-after");
        if (!header.empty()) retry_after = parse_retry_after(header, std::chrono::system_clock::now());
      } else {
        // Delivered lines rule out a plain repeat; with resume_lines the rest is asked for by Range.
        bool resumable = resume && resume->started() && !result.sink_failed;
        bool can_retry = result.status.is_retry() && (!result.delivered || resumable) && body->replayable() &&
                         !cancelled();
        if (!can_retry) return fail(result.status);
        reason = result.status.message();
      }
      if (resume && resume->resuming())
        reason += "; resuming the lines at byte " + std::to_string(resume->position());

      auto finish = [&](const std::string& why) {
        std::string message = result.status.message();
        if (result.status.is_ok()) {
          // The caller reads the HTTP status, unless it already holds lines of an earlier answer.
          if (!resuming) return Status::ok();
          message = "HTTP " + std::to_string(response.status) + " while resuming the line download at byte " +
                    std::to_string(resume->position());
        }
        return fail(Status::retry(why.empty() ? message : message + " (" + why + ")"));
      };
      if (attempt >= max_attempts) {
        return max_attempts > 1 ? finish("gave up after " + std::to_string(attempt) + " attempts")
                                : finish("");
      }
      milliseconds delay = backoff.next(retry_after);
      if (Clock::now() + delay - first_start > policy.max_total) {
        return finish("gave up: the next retry would exceed the " + duration_text(policy.max_total) +
                      " limit");
      }
      ++retries_;
      if (resume && resume->resuming()) ++line_resumes_;
      log(LogLevel::info,
          where + ": " + reason + "; retrying in " + duration_text(delay) +
              (retry_after ? " (as the server asked)" : "") + " (attempt " + std::to_string(attempt + 1) +
              " of " + std::to_string(max_attempts) + ")",
          headers);
      if (!sleep(delay)) return fail(Status::retry("cancelled while waiting to retry"));
    }
  }

  HttpClientOptions options_;
  HttpEnvironment env_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  ProxySettings proxies_;
  ConnectionPool pool_;
  std::mutex mutex_;
  std::set<std::string> warned_plain_;
  std::atomic<std::uint64_t> opened_{0};
  std::atomic<std::uint64_t> reused_{0};
  std::atomic<std::uint64_t> stale_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> line_resumes_{0};
};

}  // namespace

std::shared_ptr<HttpClient> make_http_client(const HttpClientOptions& options, HttpEnvironment environment,
                                             Status& status) {
  try {
    std::shared_ptr<boost::asio::ssl::context> tls;
    status = make_tls_context(options, tls);
    if (!status.is_ok()) return nullptr;
    if (options.insecure_skip_verify && environment.log) {
      environment.log(
          LogLevel::warn,
          "TLS CERTIFICATE VERIFICATION IS OFF (insecure_skip_verify): any server can impersonate the "
          "API and read the API key. Use ca_file instead.");
    }
    std::vector<std::string> problems;
    auto proxies = ProxySettings::from_environment(problems);
    if (environment.log) {
      for (const auto& problem : problems) {
        environment.log(LogLevel::warn, environment.redact ? environment.redact(problem) : problem);
      }
    }
    status = Status::ok();
    return std::make_shared<BeastHttpClient>(options, std::move(environment), std::move(tls),
                                             std::move(proxies));
  } catch (const std::exception& e) {
    status = Status::fatal(std::string("cannot create the HTTP client: ") + e.what());
    return nullptr;
  }
}

HttpClientStats http_client_stats(const HttpClient& client) {
  if (auto* beast_client = dynamic_cast<const BeastHttpClient*>(&client)) return beast_client->stats();
  return {};
}

}  // namespace pipehost::net
