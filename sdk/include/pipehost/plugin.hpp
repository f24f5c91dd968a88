// How a plugin library describes itself and exports its stages.
//
// A plugin library defines one function that returns a PluginDescriptor and exports it with
// PIPEHOST_PLUGIN:
//
//     pipehost::PluginDescriptor describe() {
//       pipehost::PluginDescriptor plugin{"csv-io", "1.0.0", "CSV source and sink (RFC 4180)"};
//       plugin.add<CsvSource>(source_spec(), "Reads a CSV file");   // a ConfigSpec (config.hpp)
//       plugin.add<CsvSink>(sink_spec(), "Writes a CSV file");
//       return plugin;
//     }
//     PIPEHOST_PLUGIN(describe)
//
// The host finds the exported entry point, checks the ABI handshake (magic, ABI version, C++
// standard library) in a plain C struct before it touches any C++ type, then calls `describe`.
// Each stage class derives from one interface in stages.hpp and has a constructor taking
// `(const StageContext&, Config)` when it is registered with a ConfigSpec<Config>, or
// `(const StageContext&)` with a hand-written schema. The SDK wraps it so no exception ever leaves the
// plugin: a throwing constructor or method becomes a fatal Status with the exception's message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipehost/config.hpp"
#include "pipehost/stages.hpp"
#include "pipehost/status.hpp"
#include "pipehost/version.hpp"

namespace pipehost {

/// One stage a plugin provides, with its config schema and its factory.
struct StageDescriptor {
  StageKind kind = StageKind::source;
  std::string description;
  /// JSON Schema (draft 2020-12 subset: type, properties, required, additionalProperties, enum,
  /// items, minimum, maximum, minItems, maxItems, default, description, and `"format": "path"`) of
  /// the stage's config section, without the "plugin" key. The host validates configs against it.
  std::string config_schema;
  /// Creates a stage object; never throws.
  std::function<Status(const StageContext&, std::unique_ptr<Stage>&)> create;
};

/// What a plugin library is and what it provides.
struct PluginDescriptor {
  PluginDescriptor() = default;
  PluginDescriptor(std::string name_, std::string version_, std::string description_)
      : name(std::move(name_)), version(std::move(version_)), description(std::move(description_)) {}

  /// Name used in configs ("plugin": "csv-io"). Unique among loaded plugins.
  std::string name;
  std::string version;
  std::string description;
  std::vector<StageDescriptor> stages;

  /// Registers `Impl` (derived from Source, RequestBuilder, Provider, Parser, Sink or Logger), whose
  /// config is declared by `spec`; `Impl(const StageContext&, Config)` gets the config read.
  template <class Impl, class Config>
  PluginDescriptor& add(const ConfigSpec<Config>& spec, std::string stage_description = {});
  /// Registers `Impl` with a hand-written JSON Schema; `Impl(const StageContext&)` reads its config.
  template <class Impl>
  PluginDescriptor& add(std::string config_schema, std::string stage_description = {});
};

}  // namespace pipehost

extern "C" {

/// The plain-C handshake every plugin exports (through PIPEHOST_PLUGIN). The host reads and checks
/// these fields before it calls `describe` or touches any C++ type. Fields are only ever appended;
/// `struct_size` tells the host which ones a plugin has.
struct PipehostPluginEntry {
  /// Always kPipehostPluginMagic; anything else is not a pipehost plugin.
  std::uint32_t magic;
  std::uint32_t struct_size;
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  /// pipehost::StdLib the plugin was built with.
  std::uint32_t stdlib;
  /// _GLIBCXX_USE_CXX11_ABI (1 = std::string with small-buffer ABI), -1 when not libstdc++.
  std::int32_t cxx11_abi;
  /// __GLIBCXX__ (release date) or _LIBCPP_VERSION.
  std::uint32_t stdlib_version;
  /// pipehost::kSdkVersion at build time.
  const char* sdk_version;
  /// Compiler that built the plugin (__VERSION__).
  const char* compiler;
  /// Fills `*out` with the plugin's descriptor (owned by the plugin, alive until unload) and
  /// returns null, or returns an error message (owned by the plugin) when describing failed.
  const char* (*describe)(const pipehost::PluginDescriptor** out) noexcept;
};

}  // extern "C"

namespace pipehost {

/// Marks a PipehostPluginEntry ("PHPL").
inline constexpr std::uint32_t kPipehostPluginMagic = 0x5048504cu;
/// Name of the exported entry function.
inline constexpr const char* kPluginEntrySymbol = "pipehost_plugin_entry";

}  // namespace pipehost

#include "pipehost/detail/plugin_impl.hpp"

#if defined(_WIN32)
#define PIPEHOST_PLUGIN_EXPORT __declspec(dllexport)
#else
#define PIPEHOST_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/// Exports the plugin described by `describe_function` (a `pipehost::PluginDescriptor()` function).
/// Use once per library, at namespace scope.
#define PIPEHOST_PLUGIN(describe_function)                                                        \
  extern "C" PIPEHOST_PLUGIN_EXPORT const PipehostPluginEntry* pipehost_plugin_entry() noexcept { \
    return ::pipehost::detail::plugin_entry<&describe_function>();                                \
  }
