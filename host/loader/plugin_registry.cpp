#include "loader/plugin_registry.hpp"

#include <algorithm>

#include <boost/dll/shared_library.hpp>

namespace pipehost::loader {

namespace {

std::string version_text(std::uint32_t major, std::uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// The fields of PipehostPluginEntry this host reads; older plugins may have a shorter struct.
constexpr std::size_t kRequiredEntrySize = sizeof(PipehostPluginEntry);

}  // namespace

const StageDescriptor* LoadedPlugin::stage(StageKind kind) const {
  for (const auto& s : descriptor->stages)
    if (s.kind == kind) return &s;
  return nullptr;
}

std::string stdlib_name(std::uint32_t stdlib) {
  switch (static_cast<StdLib>(stdlib)) {
    case StdLib::libstdcxx: return "libstdc++";
    case StdLib::libcxx: return "libc++";
    case StdLib::unknown: break;
  }
  return "an unknown C++ standard library";
}

PluginRegistry::PluginRegistry() = default;

PluginRegistry::~PluginRegistry() {
  // Reverse order of loading: later plugins may depend on state of earlier ones.
  while (!plugins_.empty()) plugins_.pop_back();
}

void PluginRegistry::refuse(const std::filesystem::path& file, std::string reason) {
  refusals_.push_back({file, std::move(reason)});
}

void PluginRegistry::warn_if_world_writable(const std::filesystem::path& path, const char* what) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec) return;
  auto perms = status.permissions();
  bool world_writable = (perms & std::filesystem::perms::others_write) != std::filesystem::perms::none;
  if (!world_writable) return;
  warnings_.push_back(std::string(what) + " " + path.string() +
                      " is world-writable: anyone on this machine can change the code pipehost loads from it "
                      "(chmod o-w it)");
}

void PluginRegistry::load_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    refuse(dir, "plugin folder does not exist");
    return;
  }
  warn_if_world_writable(dir, "plugin folder");
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) {
    refuse(dir, "cannot read the plugin folder: " + ec.message());
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      refuse(dir, "cannot read the plugin folder: " + ec.message());
      break;
    }
    const auto& path = it->path();
    std::string name = path.filename().string();
    if (name.starts_with(".")) continue;  // hidden files are nobody's plugins
    std::error_code status_ec, link_ec;
    auto status = std::filesystem::status(path, status_ec);  // follows links
    if (status_ec || !std::filesystem::exists(status)) {
      bool link = std::filesystem::is_symlink(std::filesystem::symlink_status(path, link_ec));
      if (status_ec == std::errc::too_many_symbolic_link_levels)
        refuse(path, "skipped: a symbolic link loop");
      else if (link)
        refuse(path, "skipped: a symbolic link to nothing (" +
                         std::filesystem::read_symlink(path, link_ec).string() + ")");
      else
        refuse(path, "skipped: " + (status_ec ? status_ec.message() : std::string("it vanished")));
      continue;
    }
    if (std::filesystem::is_directory(status)) continue;  // e.g. build folders next to the libraries
    if (path.extension() != ".so") {
      refuse(path, "skipped: not a plugin library (plugins are *.so files)");
      continue;
    }
    if (!std::filesystem::is_regular_file(status)) {
      refuse(path, "skipped: not a regular file");
      continue;
    }
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load_file(file);
}

bool PluginRegistry::load_file(const std::filesystem::path& file) {
  for (const auto& loaded : plugins_) {
    std::error_code ec;
    if (std::filesystem::equivalent(loaded.file, file, ec)) return true;  // the same library again
  }
  warn_if_world_writable(file, "plugin library");
  auto library = std::make_shared<boost::dll::shared_library>();
  try {
    library->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    refuse(file, std::string("cannot be loaded: ") + e.what());
    return false;
  }
  if (!library->has(kPluginEntrySymbol)) {
    refuse(file, std::string("not a pipehost plugin (it does not export ") + kPluginEntrySymbol + ")");
    return false;
  }
  using EntryFunction = const PipehostPluginEntry*();
  const PipehostPluginEntry* entry = library->get<EntryFunction>(kPluginEntrySymbol)();
  if (!entry || entry->magic != kPipehostPluginMagic) {
    refuse(file, "not a pipehost plugin (its entry point has no pipehost handshake)");
    return false;
  }
  if (entry->abi_major != kAbiMajor) {
    refuse(file, "built for pipehost SDK ABI " + version_text(entry->abi_major, entry->abi_minor) +
                     ", but this pipehost has ABI " + version_text(kAbiMajor, kAbiMinor) +
                     " (major versions differ); rebuild the plugin against pipehost SDK " +
                     std::to_string(kAbiMajor) + ".x");
    return false;
  }
  if (entry->abi_minor > kAbiMinor) {
    refuse(file, "built for pipehost SDK ABI " + version_text(entry->abi_major, entry->abi_minor) +
                     ", newer than this pipehost's ABI " + version_text(kAbiMajor, kAbiMinor) +
                     "; upgrade pipehost or rebuild the plugin against SDK " + version_text(kAbiMajor, kAbiMinor));
    return false;
  }
  if (entry->struct_size < kRequiredEntrySize) {
    refuse(file, "plugin handshake is truncated (" + std::to_string(entry->struct_size) + " bytes, expected " +
                     std::to_string(kRequiredEntrySize) + ")");
    return false;
  }
  if (entry->stdlib != static_cast<std::uint32_t>(detail::built_stdlib())) {
    refuse(file, "built with " + stdlib_name(entry->stdlib) + ", but pipehost uses " +
                     stdlib_name(static_cast<std::uint32_t>(detail::built_stdlib())) +
                     " (standard-library types cross the plugin boundary, so both must match)");
    return false;
  }
  if (entry->cxx11_abi != detail::built_cxx11_abi()) {
    refuse(file, "built with _GLIBCXX_USE_CXX11_ABI=" + std::to_string(entry->cxx11_abi) +
                     ", but pipehost uses _GLIBCXX_USE_CXX11_ABI=" + std::to_string(detail::built_cxx11_abi()) +
                     " (std::string layouts differ)");
    return false;
  }
  const PluginDescriptor* descriptor = nullptr;
  if (const char* error = entry->describe(&descriptor)) {
    refuse(file, std::string("the plugin failed to describe itself: ") + error);
    return false;
  }
  if (!descriptor || descriptor->name.empty()) {
    refuse(file, "the plugin descriptor has no name");
    return false;
  }
  if (descriptor->stages.empty()) {
    refuse(file, "plugin \"" + descriptor->name + "\" provides no stages");
    return false;
  }
  for (std::size_t i = 0; i < descriptor->stages.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (descriptor->stages[i].kind == descriptor->stages[j].kind) {
        refuse(file, "plugin \"" + descriptor->name + "\" provides two " + to_string(descriptor->stages[i].kind) +
                         " stages");
        return false;
      }
    }
    if (!descriptor->stages[i].create) {
      refuse(file, "plugin \"" + descriptor->name + "\" has a stage without a factory");
      return false;
    }
  }
  if (const LoadedPlugin* existing = find(descriptor->name)) {
    refuse(file, "duplicate plugin name \"" + descriptor->name + "\" (already loaded from " +
                     existing->file.string() + ")");
    conflicts_.push_back("two plugins are named \"" + descriptor->name + "\": " + existing->file.string() +
                         " and " + file.string() + "; remove one, or choose the folder with --plugins");
    return false;
  }
  LoadedPlugin plugin;
  plugin.file = file;
  plugin.library = std::move(library);
  plugin.descriptor = descriptor;
  plugin.abi_major = entry->abi_major;
  plugin.abi_minor = entry->abi_minor;
  plugin.sdk_version = entry->sdk_version ? entry->sdk_version : "";
  plugin.compiler = entry->compiler ? entry->compiler : "";
  plugins_.push_back(std::move(plugin));
  return true;
}

const LoadedPlugin* PluginRegistry::find(std::string_view name) const {
  for (const auto& p : plugins_)
    if (p.name() == name) return &p;
  return nullptr;
}

std::vector<std::string> PluginRegistry::names_with(StageKind kind) const {
  std::vector<std::string> names;
  for (const auto& p : plugins_)
    if (p.stage(kind)) names.push_back(p.name());
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<Stage> create_stage(const LoadedPlugin& plugin, const StageDescriptor& stage,
                                    const StageContext& context) {
  std::unique_ptr<Stage> object;
  Status status = stage.create(context, object);
  if (!status || !object) {
    throw StageCreationError(context.config_pointer + ": plugin \"" + plugin.name() + "\" (" + plugin.file.string() +
                             ") could not create its " + to_string(stage.kind) + ": " +
                             (status ? std::string("factory returned nothing") : status.message()));
  }
  // The deleter holds the library, so the object is always destroyed before its code is unloaded.
  auto library = plugin.library;
  return std::shared_ptr<Stage>(object.release(), [library](Stage* s) { delete s; });
}

}  // namespace pipehost::loader
