// Test plugin whose descriptor function throws.
#include <stdexcept>

#include "pipehost/sdk.hpp"

namespace {
pipehost::PluginDescriptor describe() { throw std::runtime_error("cannot read my own resources"); }
}  // namespace

PIPEHOST_PLUGIN(describe)
