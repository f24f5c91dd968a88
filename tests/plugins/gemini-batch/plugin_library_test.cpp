// The built plugin library, loaded like the host loads it: handshake, descriptor, schema, and a
// small batch through the loaded provider against the emulator.
#include <chrono>
#include <cstdlib>
#include <dlfcn.h>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "pipehost/sdk.hpp"
#include "test_host.hpp"

namespace pipehost {
namespace {

using namespace std::chrono_literals;

class LoadedPlugin {
 public:
  LoadedPlugin() {
    std::string path = std::string(PIPEHOST_PLUGIN_DIR) + "/pipehost-gemini-batch.so";
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
    auto entry_function =
        reinterpret_cast<const PipehostPluginEntry* (*)()>(dlsym(handle_, kPluginEntrySymbol));
    if (!entry_function) throw std::runtime_error("no entry point");
    entry_ = entry_function();
  }
  ~LoadedPlugin() { dlclose(handle_); }
  const PipehostPluginEntry& entry() const { return *entry_; }

 private:
  void* handle_ = nullptr;
  const PipehostPluginEntry* entry_ = nullptr;
};

TEST(GeminiPluginLibrary, DescribesOneProviderWithAStrictSchema) {
  LoadedPlugin plugin;
  EXPECT_EQ(plugin.entry().magic, kPipehostPluginMagic);
  EXPECT_EQ(plugin.entry().abi_major, kAbiMajor);
  const PluginDescriptor* descriptor = nullptr;
  ASSERT_EQ(plugin.entry().describe(&descriptor), nullptr);
  EXPECT_EQ(descriptor->name, "gemini-batch");
  ASSERT_EQ(descriptor->stages.size(), 1u);
  EXPECT_EQ(descriptor->stages[0].kind, StageKind::provider);
  auto schema = boost::json::parse(descriptor->stages[0].config_schema).as_object();
  EXPECT_EQ(schema.at("additionalProperties"), boost::json::value(false));
  EXPECT_EQ(schema.at("required"), boost::json::parse(R"(["model"])"));

  // A bad config is refused by the constructor with a clear message, not a crash.
  test::TestHost host;
  StageContext context{host, R"({"model":"m","api_version":"sometimes"})", "/tmp", "/provider"};
  std::unique_ptr<Stage> stage;
  Status created = descriptor->stages[0].create(context, stage);
  ASSERT_TRUE(created.is_fatal());
  EXPECT_EQ(created.message(),
            "/provider/api_version: expected one of \"v1beta\", \"v1\", \"v1alpha\", got \"sometimes\"");
  // What the schema cannot say, the constructor refuses.
  context.config_json = R"({"model":"m","base_url":"ftp://x"})";
  created = descriptor->stages[0].create(context, stage);
  ASSERT_TRUE(created.is_fatal());
  EXPECT_EQ(created.message(),
            "provider.base_url: must start with https:// (or http:// for a local emulator)");
}

TEST(GeminiPluginLibrary, RunsABatchThroughTheLoadedLibrary) {
  test::EmulatorProcess emulator;
  setenv("GEMINI_API_KEY", "test-gemini-key", 1);
  LoadedPlugin plugin;
  const PluginDescriptor* descriptor = nullptr;
  ASSERT_EQ(plugin.entry().describe(&descriptor), nullptr);
  {
    test::TestHost host;
    boost::json::object config{
        {"model", "gemini-2.5-flash"}, {"base_url", emulator.base_url()}, {"ca_file", emulator.ca_file()}};
    StageContext context{host, boost::json::serialize(config), "/tmp", "/provider"};
    std::unique_ptr<Stage> stage;
    ASSERT_TRUE(descriptor->stages[0].create(context, stage).is_ok());
    auto* provider = dynamic_cast<Provider*>(stage.get());
    ASSERT_NE(provider, nullptr);
    ASSERT_TRUE(provider->start().is_ok());
    std::vector<Request> requests;
    auto instruction = std::make_shared<const std::string>("Classify.");
    for (int i = 0; i < 30; ++i) {
      Request request;
      request.key = "k" + std::to_string(i);
      request.system_instruction = instruction;
      request.user_parts = {"song " + std::to_string(i)};
      requests.push_back(request);
    }
    std::string handle;
    Status submitted = provider->submit("so-test", requests, handle);
    ASSERT_TRUE(submitted.is_ok()) << submitted.message();
    JobStatus status;
    for (int i = 0; i < 400 && !is_terminal(status.state); ++i) {
      ASSERT_TRUE(provider->poll(handle, status).is_ok());
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_EQ(status.state, JobState::succeeded);
    std::set<std::string> keys;
    ASSERT_TRUE(provider
                    ->fetch(handle,
                            [&](Response&& response) {
                              keys.insert(response.key);
                              return Status::ok();
                            })
                    .is_ok());
    EXPECT_EQ(keys.size(), 30u);
  }  // stage objects die before the library is unloaded
  unsetenv("GEMINI_API_KEY");
}

}  // namespace
}  // namespace pipehost
