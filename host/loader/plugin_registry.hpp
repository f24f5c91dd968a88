// Plugin discovery and loading (Boost.DLL), with the ABI handshake and clear refusals.
//
// Lifetime rule: a stage object must die before its library is unloaded. Every object created here
// holds a reference to its library (in the shared_ptr's deleter), so the order is guaranteed even if
// the registry goes away first. Libraries are loaded on one thread at start-up and never unloaded
// mid-run.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace pipehost::loader {

/// A plugin library that passed the handshake.
struct LoadedPlugin {
  std::filesystem::path file;
  std::shared_ptr<boost::dll::shared_library> library;
  /// Owned by the library.
  const PluginDescriptor* descriptor = nullptr;
  std::uint32_t abi_major = 0;
  std::uint32_t abi_minor = 0;
  std::string sdk_version;
  std::string compiler;

  const std::string& name() const { return descriptor->name; }
  /// The stage of this kind, or null.
  const StageDescriptor* stage(StageKind kind) const;
};

/// A library that was refused, and why (one line, naming the file).
struct Refusal {
  std::filesystem::path file;
  std::string reason;
  std::string message() const { return file.string() + ": " + reason; }
};

/// Thrown when a stage cannot be created.
class StageCreationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// Loads every shared library (*.so) in `dir`, in name order. A missing dir is a refusal; so are
  /// entries that cannot be used (a symbolic link loop, a dangling link, a file that is not a *.so),
  /// which are skipped. A folder or library anyone may write to is loaded with a warning.
  void load_directory(const std::filesystem::path& dir);
  /// Loads one library; on failure records a Refusal and returns false. A library already loaded
  /// (the same file, e.g. a folder given twice) is skipped quietly.
  bool load_file(const std::filesystem::path& file);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<Refusal>& refusals() const { return refusals_; }
  /// Loaded, but worth a warning (world-writable folders and files).
  const std::vector<std::string>& warnings() const { return warnings_; }
  /// Two different files that both provide a plugin of the same name, one message each naming both
  /// files. The first one is loaded (the second is also a refusal); a run cannot know which was meant.
  const std::vector<std::string>& conflicts() const { return conflicts_; }
  const LoadedPlugin* find(std::string_view name) const;
  /// Names of the loaded plugins that provide a stage of `kind`, sorted.
  std::vector<std::string> names_with(StageKind kind) const;

 private:
  void refuse(const std::filesystem::path& file, std::string reason);
  void warn_if_world_writable(const std::filesystem::path& path, const char* what);
  std::vector<LoadedPlugin> plugins_;
  std::vector<Refusal> refusals_;
  std::vector<std::string> warnings_;
  std::vector<std::string> conflicts_;
};

/// Creates a stage object through its factory. Throws StageCreationError with the factory's message.
/// The returned object keeps its library loaded until it is destroyed.
std::shared_ptr<Stage> create_stage(const LoadedPlugin& plugin, const StageDescriptor& stage,
                                    const StageContext& context);

/// `create_stage` cast to the interface of `Kind` (the descriptor's kind was checked by the caller).
template <class Interface>
std::shared_ptr<Interface> create_stage_as(const LoadedPlugin& plugin, const StageDescriptor& stage,
                                           const StageContext& context) {
  return std::static_pointer_cast<Interface>(create_stage(plugin, stage, context));
}

/// Human name of the standard library a plugin says it was built with.
std::string stdlib_name(std::uint32_t stdlib);

}  // namespace pipehost::loader
