#include "engine/redacting_stages.hpp"

namespace pipehost::engine {

namespace {

using Secrets = std::shared_ptr<const services::SecretRegistry>;

void redact_in_place(std::string& text, const services::SecretRegistry& secrets) {
  if (!text.empty()) text = secrets.redact(text);
}

class RedactingProvider final : public Provider {
 public:
  RedactingProvider(std::shared_ptr<Provider> inner, Secrets secrets)
      : inner_(std::move(inner)), secrets_(std::move(secrets)) {}

  Status capabilities(ProviderCapabilities& capabilities) override {
    return clean(inner_->capabilities(capabilities));
  }
  Status model(ModelInfo& info) override { return clean(inner_->model(info)); }
  Status start() override { return clean(inner_->start()); }
  Status encoded_size(const Request& request, std::uint64_t& bytes) override {
    return clean(inner_->encoded_size(request, bytes));
  }
  Status submit(const std::string& display_name, const std::vector<Request>& requests,
                std::string& handle) override {
    return clean(inner_->submit(display_name, requests, handle));
  }
  Status poll(const std::string& handle, JobStatus& status) override {
    Status polled = inner_->poll(handle, status);
    redact_in_place(status.message, *secrets_);
    return clean(polled);
  }
  Status fetch(const std::string& handle, const std::function<Status(Response&&)>& on_response) override {
    return clean(inner_->fetch(handle, [&](Response&& response) {
      clean(response);
      return on_response(std::move(response));
    }));
  }
  Status cancel(const std::string& handle) override { return clean(inner_->cancel(handle)); }
  Status find(const std::string& display_name, std::string& handle) override {
    return clean(inner_->find(display_name, handle));
  }
  Status list_jobs(double created_since, std::vector<JobSummary>& jobs) override {
    return clean(inner_->list_jobs(created_since, jobs));
  }
  Status call(const Request& request, Response& response) override {
    Status called = inner_->call(request, response);
    clean(response);
    return clean(called);
  }

 private:
  Status clean(const Status& status) const { return redacted(status, *secrets_); }
  void clean(Response& response) const {
    if (response.error) redact_in_place(response.error->message, *secrets_);
    redact_in_place(response.text, *secrets_);
    redact_in_place(response.raw_json, *secrets_);
  }

  std::shared_ptr<Provider> inner_;
  Secrets secrets_;
};

class RedactingParser final : public Parser {
 public:
  RedactingParser(std::shared_ptr<Parser> inner, Secrets secrets)
      : inner_(std::move(inner)), secrets_(std::move(secrets)) {}

  Status columns(std::vector<Column>& columns) override {
    return redacted(inner_->columns(columns), *secrets_);
  }
  Status parse(std::string_view text, std::vector<Value>& fields) override {
    return redacted(inner_->parse(text, fields), *secrets_);
  }

 private:
  std::shared_ptr<Parser> inner_;
  Secrets secrets_;
};

}  // namespace

Status redacted(const Status& status, const services::SecretRegistry& secrets) {
  if (status.is_ok() || status.message().empty()) return status;
  std::string message = secrets.redact(status.message());
  if (message == status.message()) return status;
  return status.is_retry() ? Status::retry(std::move(message), status.retry_after_ms())
                           : Status::fatal(std::move(message));
}

std::shared_ptr<Provider> redacting_provider(std::shared_ptr<Provider> provider, Secrets secrets) {
  return std::make_shared<RedactingProvider>(std::move(provider), std::move(secrets));
}

std::shared_ptr<Parser> redacting_parser(std::shared_ptr<Parser> parser, Secrets secrets) {
  return std::make_shared<RedactingParser>(std::move(parser), std::move(secrets));
}

}  // namespace pipehost::engine
