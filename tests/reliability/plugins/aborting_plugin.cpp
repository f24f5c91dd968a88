// A plugin library whose static initialiser aborts: dlopen runs it, and the process dies there.
#include <cstdio>
#include <cstdlib>

#include "pipehost/sdk.hpp"

namespace {
[[gnu::constructor]] void abort_while_loading() {
  std::fputs("pipehost-aborting.so: aborting while being loaded (test plugin)\n", stderr);
  std::abort();
}

pipehost::PluginDescriptor describe() {
  return {"aborting", "1.0.0", "never gets here"};
}
}  // namespace

PIPEHOST_PLUGIN(describe)
