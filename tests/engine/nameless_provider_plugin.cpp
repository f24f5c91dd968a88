// Test plugin "nameless-batch": a scripted batch provider whose jobs carry no name (as Anthropic's
// Message Batches), so the engine must find an in-doubt create by listing the provider's jobs
// (JobLookup::by_listing). Its jobs are kept in <state_dir>/nameless-jobs.json, so they outlive a
// killed process as real ones do. Scripted faults:
//   lose_create_answer: N  the next N creates happen, but the call reports a dropped connection;
//   crash_after_create: N  the next N creates happen, then the process dies before it can answer;
//   stranger_on_failed_create: true  when a create fails (fail_creates), someone else creates a job
//                          of the same size at the same moment (the engine must not keep it).
//   fail_creates: N        the next N creates fail without creating anything.
// Answers are {"answer": "echo <user text>"}, as the test-model parser reads them.
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "pipehost/sdk.hpp"

namespace {

using pipehost::Value;

struct NamelessConfig {
  std::string model = "nameless-1";
  std::int64_t lose_create_answer = 0;
  std::int64_t crash_after_create = 0;
  std::int64_t fail_creates = 0;
  bool stranger_on_failed_create = false;
};

pipehost::ConfigSpec<NamelessConfig> nameless_spec() {
  pipehost::ConfigSpec<NamelessConfig> spec;
  spec.add("model", &NamelessConfig::model);
  spec.add("lose_create_answer", &NamelessConfig::lose_create_answer).minimum(0);
  spec.add("crash_after_create", &NamelessConfig::crash_after_create).minimum(0);
  spec.add("fail_creates", &NamelessConfig::fail_creates).minimum(0);
  spec.add("stranger_on_failed_create", &NamelessConfig::stranger_on_failed_create);
  return spec;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class NamelessProvider final : public pipehost::Provider {
 public:
  NamelessProvider(const pipehost::StageContext& context, NamelessConfig config)
      : host_(context.host), config_(std::move(config)), file_(host_.state_dir() + "/nameless-jobs.json") {
    load();
  }

  pipehost::Status capabilities(pipehost::ProviderCapabilities& caps) override {
    caps.batch = true;
    caps.job_lookup = pipehost::JobLookup::by_listing;
    return pipehost::Status::ok();
  }
  pipehost::Status model(pipehost::ModelInfo& info) override {
    info.model = config_.model;
    return pipehost::Status::ok();
  }

  pipehost::Status submit(const std::string&, const std::vector<pipehost::Request>& requests,
                          std::string& handle) override {
    std::lock_guard lock(mutex_);
    auto& faults = *state_.find("faults");
    if (count(faults, "fail_creates") < config_.fail_creates) {
      bump(faults, "fail_creates");
      if (config_.stranger_on_failed_create) {
        std::vector<std::string> keys;
        for (std::size_t i = 0; i < requests.size(); ++i) keys.push_back("stranger-" + std::to_string(i));
        add_job(keys, {});
      }
      save();
      return pipehost::Status::retry("503 the service is busy");
    }
    std::vector<std::string> keys, texts;
    for (const auto& r : requests) keys.push_back(r.key), texts.push_back(r.user_parts.at(0));
    std::string created = add_job(keys, texts);
    bump(*state_.find("stats"), "creates");
    if (count(faults, "lose_create_answer") < config_.lose_create_answer) {
      bump(faults, "lose_create_answer");
      save();
      return pipehost::Status::retry("connection reset after the create was sent");
    }
    if (count(faults, "crash_after_create") < config_.crash_after_create) {
      bump(faults, "crash_after_create");
      save();
      std::_Exit(137);  // dies between the provider's create and the host's ledger write
    }
    save();
    handle = created;
    return pipehost::Status::ok();
  }

  pipehost::Status list_jobs(double created_since, std::vector<pipehost::JobSummary>& jobs) override {
    std::lock_guard lock(mutex_);
    const Value& all = *state_.find("jobs");
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Value& job = all[i];
      double created = job.find("created_at")->as_double();
      if (created < created_since) continue;
      jobs.push_back({all.key(i), created, job.find("keys")->size(), pipehost::JobState::succeeded});
    }
    return pipehost::Status::ok();
  }

  pipehost::Status poll(const std::string& handle, pipehost::JobStatus& status) override {
    std::lock_guard lock(mutex_);
    if (!state_.find("jobs")->find(handle)) return pipehost::Status::fatal("no job " + handle);
    status.state = pipehost::JobState::succeeded;
    return pipehost::Status::ok();
  }

  pipehost::Status fetch(const std::string& handle,
                         const std::function<pipehost::Status(pipehost::Response&&)>& on_response) override {
    Value job;
    {
      std::lock_guard lock(mutex_);
      const Value* found = state_.find("jobs")->find(handle);
      if (!found) return pipehost::Status::fatal("no job " + handle);
      job = *found;
    }
    const Value& keys = *job.find("keys");
    const Value& texts = *job.find("texts");
    for (std::size_t i = keys.size(); i-- > 0;) {  // not in input order
      pipehost::Response response;
      response.key = keys[i].as_string();
      Value answer = Value::object();
      answer.set("answer", "echo " + (i < texts.size() ? texts[i].as_string() : std::string()));
      response.text = pipehost::to_json(answer);
      response.usage.input_tokens = 10;
      response.usage.output_tokens = 5;
      if (auto s = on_response(std::move(response)); !s) return s;
    }
    return pipehost::Status::ok();
  }

 private:
  std::string add_job(const std::vector<std::string>& keys, const std::vector<std::string>& texts) {
    Value& jobs = *const_cast<Value*>(state_.find("jobs"));
    std::string handle = "msgbatch_" + std::to_string(jobs.size() + 1);
    Value job = Value::object();
    job.set("created_at", unix_now());
    job.set("keys", Value::array({keys.begin(), keys.end()}));
    job.set("texts", Value::array({texts.begin(), texts.end()}));
    jobs.set(handle, std::move(job));
    return handle;
  }
  static std::int64_t count(const Value& object, const char* name) {
    const Value* v = object.find(name);
    return v ? v->as_int() : 0;
  }
  static void bump(const Value& object, const char* name) {
    const_cast<Value&>(object).set(name, count(object, name) + 1);
  }
  void load() {
    std::ifstream in(file_);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    if (!in || !pipehost::parse_json(text.str(), state_, error)) {
      state_ = Value::object();
      state_.set("jobs", Value::object());
      state_.set("faults", Value::object());
      state_.set("stats", Value::object());
    }
  }
  void save() {
    std::ofstream(file_ + ".tmp") << pipehost::to_json(state_);
    std::rename((file_ + ".tmp").c_str(), file_.c_str());
  }

  pipehost::HostServices& host_;
  NamelessConfig config_;
  std::string file_;
  std::mutex mutex_;
  Value state_;
};

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"nameless-batch", "1.0.0", "Scripted batch provider without job names"};
  plugin.add<NamelessProvider>(nameless_spec(), "Batch jobs found again only by listing");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
