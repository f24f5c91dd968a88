// Implementation details of plugin.hpp: PluginDescriptor::add, and the exported entry point's
// handshake fields, filled from the compiler and standard library that build the plugin. Not part of
// the SDK's interface: include pipehost/sdk.hpp (or plugin.hpp) instead.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "pipehost/detail/guard.hpp"

namespace pipehost {

template <class Impl, class Config>
PluginDescriptor& PluginDescriptor::add(const ConfigSpec<Config>& spec, std::string stage_description) {
  using Guarded = typename decltype(detail::guarded_type<Impl>())::type;
  static_assert(
      std::is_constructible_v<Impl, const StageContext&, Config>,
      "a stage registered with a ConfigSpec<Config> needs a constructor (const StageContext&, Config)");
  StageDescriptor stage;
  stage.kind = Impl::kKind;
  stage.description = std::move(stage_description);
  stage.config_schema = spec.schema();
  stage.create = [spec](const StageContext& context, std::unique_ptr<Stage>& out) -> Status {
    return detail::guard([&] {
      Config config{};
      if (Status read = spec.read(context, config); !read) return read;
      out = std::make_unique<Guarded>(context, std::move(config));
      return Status::ok();
    });
  };
  stages.push_back(std::move(stage));
  return *this;
}

template <class Impl>
PluginDescriptor& PluginDescriptor::add(std::string config_schema, std::string stage_description) {
  using Guarded = typename decltype(detail::guarded_type<Impl>())::type;
  static_assert(std::is_constructible_v<Impl, const StageContext&>,
                "a stage needs a constructor taking const pipehost::StageContext&");
  StageDescriptor stage;
  stage.kind = Impl::kKind;
  stage.description = std::move(stage_description);
  stage.config_schema = std::move(config_schema);
  stage.create = [](const StageContext& context, std::unique_ptr<Stage>& out) -> Status {
    return detail::guard([&] {
      out = std::make_unique<Guarded>(context);
      return Status::ok();
    });
  };
  stages.push_back(std::move(stage));
  return *this;
}

namespace detail {

constexpr StdLib built_stdlib() {
#if defined(_LIBCPP_VERSION)
  return StdLib::libcxx;
#elif defined(__GLIBCXX__)
  return StdLib::libstdcxx;
#else
  return StdLib::unknown;
#endif
}

constexpr std::int32_t built_cxx11_abi() {
#if defined(_GLIBCXX_USE_CXX11_ABI)
  return _GLIBCXX_USE_CXX11_ABI;
#else
  return -1;
#endif
}

constexpr std::uint32_t built_stdlib_version() {
#if defined(_LIBCPP_VERSION)
  return _LIBCPP_VERSION;
#elif defined(__GLIBCXX__)
  return __GLIBCXX__;
#else
  return 0;
#endif
}

template <PluginDescriptor (*Describe)()>
const char* describe_once(const PluginDescriptor** out) noexcept {
  static std::string error;
  static std::unique_ptr<PluginDescriptor> descriptor;
  try {
    if (!descriptor) descriptor = std::make_unique<PluginDescriptor>(Describe());
    *out = descriptor.get();
    return nullptr;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  return error.c_str();
}

template <PluginDescriptor (*Describe)()>
const PipehostPluginEntry* plugin_entry() noexcept {
  static const PipehostPluginEntry entry{
      kPipehostPluginMagic,
      static_cast<std::uint32_t>(sizeof(PipehostPluginEntry)),
      kAbiMajor,
      kAbiMinor,
      static_cast<std::uint32_t>(built_stdlib()),
      built_cxx11_abi(),
      built_stdlib_version(),
      kSdkVersion,
      __VERSION__,
      &describe_once<Describe>,
  };
  return &entry;
}

}  // namespace detail
}  // namespace pipehost
