// Plugin loading: a good plugin is loaded and usable; each kind of bad library is refused with a
// one-line message naming the file and the reason.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "loader/plugin_registry.hpp"
#include "test_host.hpp"

namespace {

using pipehost::loader::PluginRegistry;

std::string refusal_for(const PluginRegistry& registry, const std::string& file_name) {
  for (const auto& r : registry.refusals())
    if (r.file.filename() == file_name) return r.message();
  return "(not refused)";
}

TEST(Loader, LoadsAGoodPluginAndCreatesItsStages) {
  PluginRegistry registry;
  registry.load_directory(TEST_GOOD_PLUGINS);
  ASSERT_TRUE(registry.refusals().empty()) << registry.refusals().front().message();
  const auto* plugin = registry.find("test-rows");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->descriptor->version, "1.2.3");
  EXPECT_EQ(plugin->abi_major, pipehost::kAbiMajor);
  ASSERT_NE(plugin->stage(pipehost::StageKind::source), nullptr);
  ASSERT_NE(plugin->stage(pipehost::StageKind::sink), nullptr);
  EXPECT_EQ(plugin->stage(pipehost::StageKind::provider), nullptr);

  pipehost::test::TestHost host;
  pipehost::StageContext context{host, R"({"rows":3})", "", "/source"};
  auto source = pipehost::loader::create_stage_as<pipehost::Source>(
      *plugin, *plugin->stage(pipehost::StageKind::source), context);
  std::vector<std::string> columns;
  ASSERT_TRUE(source->open(columns));
  std::vector<pipehost::Row> rows;
  ASSERT_TRUE(source->read(rows, 10));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].values[1], "row 3");
}

TEST(Loader, StageObjectsKeepTheirLibraryLoaded) {
  std::shared_ptr<pipehost::Source> source;
  pipehost::test::TestHost host;
  {
    PluginRegistry registry;
    registry.load_directory(TEST_GOOD_PLUGINS);
    const auto* plugin = registry.find("test-rows");
    ASSERT_NE(plugin, nullptr);
    source = pipehost::loader::create_stage_as<pipehost::Source>(
        *plugin, *plugin->stage(pipehost::StageKind::source), {host, "{}", "", "/source"});
  }
  // The registry is gone; the object's code must still be mapped.
  std::vector<std::string> columns;
  EXPECT_TRUE(source->open(columns));
  source.reset();
}

class RefusalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry;
    registry_->load_directory(TEST_BAD_PLUGINS);
  }
  static void TearDownTestSuite() { delete registry_; }
  static std::string dir() { return TEST_BAD_PLUGINS; }
  static PluginRegistry* registry_;
};
PluginRegistry* RefusalTest::registry_ = nullptr;

TEST_F(RefusalTest, AbiMajorMismatch) {
  EXPECT_EQ(
      refusal_for(*registry_, "pipehost-abi-major.so"),
      dir() +
          "/pipehost-abi-major.so: built for pipehost SDK ABI 3.0, but this pipehost has ABI 2.0 (major "
          "versions differ); rebuild the plugin against pipehost SDK 2.x");
}

TEST_F(RefusalTest, AbiMinorNewerThanHost) {
  EXPECT_EQ(refusal_for(*registry_, "pipehost-abi-minor.so"),
            dir() +
                "/pipehost-abi-minor.so: built for pipehost SDK ABI 2.1, newer than this pipehost's ABI 2.0; "
                "upgrade pipehost or rebuild the plugin against SDK 2.0");
}

TEST_F(RefusalTest, NotAPlugin) {
  EXPECT_EQ(refusal_for(*registry_, "not-a-plugin.so"),
            dir() + "/not-a-plugin.so: not a pipehost plugin (it does not export pipehost_plugin_entry)");
}

TEST_F(RefusalTest, DescriptorThatThrows) {
  EXPECT_EQ(
      refusal_for(*registry_, "pipehost-describe-throws.so"),
      dir() +
          "/pipehost-describe-throws.so: the plugin failed to describe itself: cannot read my own resources");
}

TEST_F(RefusalTest, DuplicateName) {
  // Files load in name order: -again before -copy.
  EXPECT_EQ(refusal_for(*registry_, "pipehost-test-rows-copy.so"),
            dir() + "/pipehost-test-rows-copy.so: duplicate plugin name \"test-rows\" (already loaded from " +
                dir() + "/pipehost-test-rows-again.so)");
  ASSERT_NE(registry_->find("test-rows"), nullptr);
}

TEST_F(RefusalTest, DuplicateNameIsAConflictNamingBothFiles) {
  ASSERT_EQ(registry_->conflicts().size(), 1u);
  EXPECT_EQ(registry_->conflicts()[0],
            "two plugins are named \"test-rows\": " + dir() + "/pipehost-test-rows-again.so and " + dir() +
                "/pipehost-test-rows-copy.so; remove one, or choose the folder with "
                "--plugins");
}

TEST_F(RefusalTest, MissingFolder) {
  PluginRegistry registry;
  registry.load_directory("/nonexistent/plugins");
  ASSERT_EQ(registry.refusals().size(), 1u);
  EXPECT_EQ(registry.refusals()[0].message(), "/nonexistent/plugins: plugin folder does not exist");
}

namespace fs = std::filesystem;

const fs::path kGoodLibrary = fs::path(TEST_GOOD_PLUGINS) / "pipehost-test-rows.so";

TEST(LoaderFolders, UnusableEntriesAreSkippedWithAReasonAndTheRestLoads) {
  pipehost::test::TempDir dir;
  fs::create_symlink("pipehost-loop-b.so", dir.path() / "pipehost-loop-a.so");
  fs::create_symlink("pipehost-loop-a.so", dir.path() / "pipehost-loop-b.so");
  fs::create_symlink("/nonexistent/pipehost-gone.so", dir.path() / "pipehost-gone.so");
  pipehost::test::write_file(dir.file("README.txt"), "notes, not a plugin");
  pipehost::test::write_file(dir.file(".hidden"), "editors leave these around");
  fs::create_directories(dir.path() / "build-folder");
  fs::create_symlink(kGoodLibrary, dir.path() / "pipehost-test-rows.so");

  PluginRegistry registry;
  registry.load_directory(dir.path());
  ASSERT_NE(registry.find("test-rows"), nullptr) << "a good plugin beside bad entries still loads";
  EXPECT_EQ(refusal_for(registry, "pipehost-loop-a.so"),
            dir.file("pipehost-loop-a.so") + ": skipped: a symbolic link loop");
  EXPECT_EQ(refusal_for(registry, "pipehost-loop-b.so"),
            dir.file("pipehost-loop-b.so") + ": skipped: a symbolic link loop");
  EXPECT_EQ(
      refusal_for(registry, "pipehost-gone.so"),
      dir.file("pipehost-gone.so") + ": skipped: a symbolic link to nothing (/nonexistent/pipehost-gone.so)");
  EXPECT_EQ(refusal_for(registry, "README.txt"),
            dir.file("README.txt") + ": skipped: not a plugin library (plugins are *.so files)");
  EXPECT_EQ(registry.refusals().size(), 4u) << "hidden files and folders are passed over quietly";
  EXPECT_TRUE(registry.warnings().empty());
  EXPECT_TRUE(registry.conflicts().empty());
}

TEST(LoaderFolders, WorldWritableFolderOrLibraryIsAWarning) {
  pipehost::test::TempDir dir;
  fs::copy_file(kGoodLibrary, dir.path() / "pipehost-test-rows.so");
  {
    PluginRegistry registry;
    registry.load_directory(dir.path());
    EXPECT_TRUE(registry.warnings().empty());
  }
  fs::permissions(dir.path(), fs::perms::others_write, fs::perm_options::add);
  fs::permissions(dir.path() / "pipehost-test-rows.so", fs::perms::others_write, fs::perm_options::add);
  PluginRegistry registry;
  registry.load_directory(dir.path());
  ASSERT_NE(registry.find("test-rows"), nullptr) << "a warning, not a refusal";
  ASSERT_EQ(registry.warnings().size(), 2u);
  EXPECT_EQ(registry.warnings()[0],
            "plugin folder " + dir.path().string() +
                " is world-writable: anyone on this machine can change the code pipehost "
                "loads from it (chmod o-w it)");
  EXPECT_NE(registry.warnings()[1].find("plugin library " + dir.file("pipehost-test-rows.so") +
                                        " is world-writable"),
            std::string::npos);
}

TEST(LoaderFolders, TheSameFolderTwiceIsNoConflict) {
  PluginRegistry registry;
  registry.load_directory(TEST_GOOD_PLUGINS);
  registry.load_directory(TEST_GOOD_PLUGINS);
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_TRUE(registry.refusals().empty()) << registry.refusals().front().message();
  EXPECT_TRUE(registry.conflicts().empty());
}

}  // namespace
