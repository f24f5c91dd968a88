// A plugin library that cannot be loaded: it needs a function no library defines, so dlopen (with
// RTLD_NOW) fails. Built without --no-undefined on purpose (see CMakeLists.txt).
#include "pipehost/sdk.hpp"

extern "C" int pipehost_test_function_that_exists_nowhere(int);

namespace {
pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"unresolved-symbol", "1.0.0", "never loads"};
  if (pipehost_test_function_that_exists_nowhere(1) == 42) plugin.description = "unreachable";
  return plugin;
}
}  // namespace

PIPEHOST_PLUGIN(describe)
