// The SDK's own promises: Status semantics, and that the registration wrapper keeps exceptions
// inside the plugin.
#include "pipehost/sdk.hpp"

#include <gtest/gtest.h>

#include "test_host.hpp"

namespace {

using pipehost::Status;

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_TRUE(static_cast<bool>(s));
}

TEST(Status, RetryCarriesHintAndContext) {
  auto s = Status::retry("quota", 1500).with_context("create batch");
  EXPECT_TRUE(s.is_retry());
  EXPECT_EQ(s.message(), "create batch: quota");
  EXPECT_EQ(s.retry_after_ms(), 1500);
}

class ThrowingSource : public pipehost::Source {
 public:
  explicit ThrowingSource(const pipehost::StageContext& context) {
    if (context.config_json == "bad") throw std::runtime_error("bad config");
  }
  Status open(std::vector<std::string>&) override { throw std::logic_error("open exploded"); }
  Status read(std::vector<pipehost::Row>&, std::size_t) override { throw 42; }
};

TEST(Registration, ExceptionsBecomeFatalStatus) {
  pipehost::PluginDescriptor plugin{"t", "1", "test"};
  plugin.add<ThrowingSource>("{}");
  ASSERT_EQ(plugin.stages.size(), 1u);
  EXPECT_EQ(plugin.stages[0].kind, pipehost::StageKind::source);

  pipehost::test::TestHost host;
  pipehost::StageContext bad{host, "bad", "", "/source"};
  std::unique_ptr<pipehost::Stage> stage;
  auto created = plugin.stages[0].create(bad, stage);
  EXPECT_TRUE(created.is_fatal());
  EXPECT_EQ(created.message(), "bad config");

  pipehost::StageContext good{host, "{}", "", "/source"};
  ASSERT_TRUE(plugin.stages[0].create(good, stage));
  auto* source = static_cast<pipehost::Source*>(stage.get());
  std::vector<std::string> columns;
  EXPECT_EQ(source->open(columns).message(), "open exploded");
  std::vector<pipehost::Row> rows;
  EXPECT_EQ(source->read(rows, 1).message(), "unknown exception");
}

}  // namespace
