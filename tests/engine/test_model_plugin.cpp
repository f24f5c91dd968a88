// Test plugin "test-model": a request builder, an in-memory provider (batch and online) and a parser,
// so the engine's planning, retries, limits and export can be tested in-process. Faults are driven
// by config so a test can make chosen rows fail on their first attempts. Integration tests of the
// real HTTP path use the gemini-batch plugin against the emulator instead.
#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include <boost/json.hpp>

#include "pipehost/sdk.hpp"

namespace json = boost::json;

namespace {

json::object config_of(const pipehost::StageContext& context) {
  return json::parse(context.config_json).as_object();
}

std::int64_t int_option(const json::object& o, const char* key, std::int64_t fallback) {
  auto* v = o.if_contains(key);
  return v ? v->to_number<std::int64_t>() : fallback;
}

class TemplateBuilder final : public pipehost::RequestBuilder {
 public:
  explicit TemplateBuilder(const pipehost::StageContext& context) {
    auto c = config_of(context);
    column_ = std::string(c.at("column").as_string());
    system_ = std::make_shared<const std::string>(
        c.contains("system") ? std::string(c.at("system").as_string()) : "");
  }
  pipehost::Status bind(const std::vector<std::string>& columns) override {
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == column_) return index_ = i, pipehost::Status::ok();
    return pipehost::Status::fatal("no column named " + column_);
  }
  pipehost::Status build(const pipehost::Row& row, pipehost::Request& request) override {
    request.system_instruction = system_;
    request.user_parts = {row.values[index_].to_text()};
    return pipehost::Status::ok();
  }

 private:
  std::string column_;
  std::size_t index_ = 0;
  std::shared_ptr<const std::string> system_;
};

/// Jobs live in this process only. Stats are written to <state_dir>/test-model-stats.json.
class MemoryProvider final : public pipehost::Provider {
 public:
  explicit MemoryProvider(const pipehost::StageContext& context) : host_(context.host) {
    auto c = config_of(context);
    line_error_mod_ = int_option(c, "line_error_mod", 0);
    prose_mod_ = int_option(c, "prose_mod", 0);
    always_fail_mod_ = int_option(c, "always_fail_mod", 0);
    create_429_ = int_option(c, "create_429", 0);
    fail_jobs_ = int_option(c, "fail_jobs", 0);
    max_jobs_rows_ = static_cast<std::uint64_t>(int_option(c, "max_requests_per_job", 0));
    if (auto* m = c.if_contains("model")) model_ = std::string(m->as_string());
    if (auto* env = c.if_contains("log_secret_env")) log_secret_env_ = std::string(env->as_string());
    if (auto* online_only = c.if_contains("online_only")) online_only_ = online_only->as_bool();
  }
  // Reads a key and carelessly logs it: the host must cut it out of the log line.
  pipehost::Status start() override {
    if (log_secret_env_.empty()) return pipehost::Status::ok();
    std::string key;
    if (auto s = host_.secret(log_secret_env_, key); !s) return s;
    host_.log(pipehost::LogLevel::warn, "using key " + key);
    return pipehost::Status::ok();
  }
  // Prices of a Gemini flash model, whatever the model is called.
  pipehost::Status model(pipehost::ModelInfo& info) override {
    info.model = model_;
    pipehost::TokenPrices prices;
    prices.input = 0.30, prices.cached_input = 0.03, prices.output = prices.thinking = 2.50;
    prices.batch_multiplier = 0.5;
    info.prices = prices;
    return pipehost::Status::ok();
  }
  pipehost::Status capabilities(pipehost::ProviderCapabilities& caps) override {
    caps.batch = !online_only_;
    caps.online = true;
    caps.max_requests_per_job = max_jobs_rows_;
    return pipehost::Status::ok();
  }
  pipehost::Status encoded_size(const pipehost::Request& r, std::uint64_t& bytes) override {
    bytes = r.user_parts.at(0).size() + (r.system_instruction ? r.system_instruction->size() : 0) + 32;
    return pipehost::Status::ok();
  }
  pipehost::Status submit(const std::string& name, const std::vector<pipehost::Request>& requests,
                          std::string& handle) override {
    std::lock_guard lock(mutex_);
    if (create_429_ > 0) {
      --create_429_;
      return pipehost::Status::retry("429 RESOURCE_EXHAUSTED", 10);
    }
    auto& job = jobs_["jobs/" + std::to_string(jobs_.size() + 1)];
    job.name = name;
    for (const auto& r : requests) job.answers.push_back(answer(r));
    job.failed = fail_jobs_ > 0 && fail_jobs_-- > 0;
    handle = "jobs/" + std::to_string(jobs_.size());
    ++creates_[name];
    requests_ += requests.size();
    write_stats();
    return pipehost::Status::ok();
  }
  pipehost::Status poll(const std::string& handle, pipehost::JobStatus& status) override {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(handle);
    if (it == jobs_.end()) return pipehost::Status::fatal("no job " + handle);
    status.state = it->second.failed ? pipehost::JobState::failed : pipehost::JobState::succeeded;
    status.total = it->second.answers.size();
    return pipehost::Status::ok();
  }
  pipehost::Status fetch(const std::string& handle,
                         const std::function<pipehost::Status(pipehost::Response&&)>& on_response) override {
    std::vector<pipehost::Response> answers;
    {
      std::lock_guard lock(mutex_);
      const auto& job = jobs_.at(handle);
      // As at real providers, a failed job has no output to download.
      if (job.failed) return pipehost::Status::fatal(handle + " ended failed without results");
      answers = job.answers;
    }
    // Output order is not input order at real providers; reverse it here.
    for (auto it = answers.rbegin(); it != answers.rend(); ++it)
      if (auto s = on_response(pipehost::Response(*it)); !s) return s;
    return pipehost::Status::ok();
  }
  pipehost::Status find(const std::string& name, std::string& handle) override {
    std::lock_guard lock(mutex_);
    for (const auto& [h, job] : jobs_)
      if (job.name == name) handle = h;
    return pipehost::Status::ok();
  }
  pipehost::Status cancel(const std::string&) override { return pipehost::Status::ok(); }
  pipehost::Status call(const pipehost::Request& request, pipehost::Response& response) override {
    std::lock_guard lock(mutex_);
    ++requests_;
    response = answer(request);
    write_stats();
    return pipehost::Status::ok();
  }

 private:
  struct Job {
    std::string name;
    std::vector<pipehost::Response> answers;
    bool failed = false;
  };

  pipehost::Response answer(const pipehost::Request& r) {
    pipehost::Response response;
    response.key = r.key;
    int seen = ++attempts_[r.key];
    std::int64_t n = std::stoll(r.key);
    response.usage.input_tokens = static_cast<std::int64_t>(r.user_parts[0].size());
    response.usage.output_tokens = 5;
    if (always_fail_mod_ && n % always_fail_mod_ == 0) {
      response.text = "I cannot answer that.";
    } else if (line_error_mod_ && n % line_error_mod_ == 0 && seen == 1) {
      response.error = pipehost::ResponseError{"500", "internal error", true};
    } else if (prose_mod_ && n % prose_mod_ == 0 && seen == 1) {
      response.text = "Sure! Here is the answer you wanted.";
    } else {
      response.text = json::serialize(json::object{{"answer", "echo " + r.user_parts[0]}});
    }
    response.finish_reason = "STOP";
    return response;
  }

  void write_stats() {
    json::object creates;
    for (const auto& [name, n] : creates_) creates[name] = n;
    std::ofstream(host_.state_dir() + "/test-model-stats.json")
        << json::serialize(json::object{{"creates", creates}, {"requests", requests_}});
  }

  pipehost::HostServices& host_;
  std::mutex mutex_;
  std::map<std::string, Job> jobs_;
  std::map<std::string, int> creates_;
  std::map<std::string, int> attempts_;
  std::uint64_t requests_ = 0;
  std::int64_t line_error_mod_, prose_mod_, always_fail_mod_, create_429_, fail_jobs_;
  std::uint64_t max_jobs_rows_;
  std::string model_ = "test-model";
  std::string log_secret_env_;
  bool online_only_ = false;
};

/// Config "prefix" goes before every answer, so a test can change the parser and see the output follow.
class AnswerParser final : public pipehost::Parser {
 public:
  explicit AnswerParser(const pipehost::StageContext& context) {
    auto c = config_of(context);
    if (auto* p = c.if_contains("prefix")) prefix_ = std::string(p->as_string());
  }
  pipehost::Status columns(std::vector<pipehost::Column>& columns) override {
    columns = {"answer"};
    return pipehost::Status::ok();
  }
  pipehost::Status parse(std::string_view text, std::vector<pipehost::Value>& fields) override {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object() || !value.as_object().contains("answer"))
      return pipehost::Status::retry("no JSON found");
    fields = {pipehost::Value(prefix_ + std::string(value.at("answer").as_string()))};
    return pipehost::Status::ok();
  }

 private:
  std::string prefix_;
};

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"test-model", "1.0.0", "In-memory model for engine tests"};
  plugin.add<TemplateBuilder>(R"({"type": "object", "additionalProperties": false, "required": ["column"],
      "properties": {"column": {"type": "string"}, "system": {"type": "string"}}})");
  plugin.add<MemoryProvider>(R"({"type": "object", "additionalProperties": false, "properties": {
      "model": {"type": "string"}, "line_error_mod": {"type": "integer"}, "prose_mod": {"type": "integer"},
      "always_fail_mod": {"type": "integer"}, "create_429": {"type": "integer"}, "fail_jobs": {"type": "integer"},
      "max_requests_per_job": {"type": "integer"}, "log_secret_env": {"type": "string"},
      "online_only": {"type": "boolean"}}})");
  plugin.add<AnswerParser>(R"({"type": "object", "additionalProperties": false, "properties": {
      "version": {"type": "integer"}, "prefix": {"type": "string"}}})");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
