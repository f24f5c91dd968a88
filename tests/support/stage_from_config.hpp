// Constructing a stage object directly, the way the SDK's factory does it: the config section read by
// the stage's ConfigSpec (relative paths resolved against the config folder, the section's pointer
// in messages), then the constructor `Impl(context, config)`. For tests that call a stage's own
// methods (the factory's object hides them behind the SDK's guard).
#pragma once

#include <stdexcept>

#include "pipehost/sdk.hpp"

namespace pipehost::test {

/// The stage; throws std::invalid_argument with the read's message on a config its spec refuses, and
/// whatever the constructor throws on one it refuses itself.
template <class Impl, class Config>
Impl make_stage(const ConfigSpec<Config>& spec, const StageContext& context) {
  Config config{};
  if (Status read = spec.read(context, config); !read) throw std::invalid_argument(read.message());
  return Impl(context, std::move(config));
}

/// The message a config gives when `Impl` is made with it, or "" when it is accepted.
template <class Impl, class Config>
std::string config_error(const ConfigSpec<Config>& spec, const StageContext& context) {
  try {
    make_stage<Impl>(spec, context);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace pipehost::test
