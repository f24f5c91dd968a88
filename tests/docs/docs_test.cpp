// docs/config-reference.md is generated from the plugins' schemas; this fails when a schema changed
// and the reference was not regenerated (scripts/gen-config-reference.sh build > docs/config-reference.md).
#include <gtest/gtest.h>

#include "process.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

TEST(Docs, ConfigReferenceMatchesThePluginSchemas) {
  ProcessOptions options;
  options.timeout = std::chrono::minutes(1);
  auto r = run_process({std::string(PIPEHOST_SOURCE_DIR) + "/scripts/gen-config-reference.sh", PIPEHOST_BINARY_DIR},
                       options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_file(std::string(PIPEHOST_SOURCE_DIR) + "/docs/config-reference.md"))
      << "regenerate: scripts/gen-config-reference.sh build > docs/config-reference.md";
}

}  // namespace
}  // namespace pipehost::test
