// Loads a built plugin library (PIPEHOST_PLUGIN_DIR/pipehost-<name>.so) the way the host does at its
// core - dlopen, the exported entry point, the ABI handshake, describe() - so a test can exercise a
// plugin through its real registration path. Libraries stay loaded until the process ends, so stage
// objects never outlive their code.
#pragma once

#include <dlfcn.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "pipehost/sdk.hpp"

namespace pipehost::test {

class PluginLibrary {
 public:
  /// Loads pipehost-<name>.so from the build's plugin folder; throws std::runtime_error on failure.
  explicit PluginLibrary(const std::string& name) {
    std::string path = std::string(PIPEHOST_PLUGIN_DIR) + "/pipehost-" + name + ".so";
    static std::map<std::string, void*> loaded;  // never unloaded: see the header comment
    void*& handle = loaded[path];
    if (handle == nullptr) handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw std::runtime_error("cannot load " + path + ": " + ::dlerror());
    using EntryFunction = const PipehostPluginEntry* (*)();
    auto entry_function = reinterpret_cast<EntryFunction>(::dlsym(handle, kPluginEntrySymbol));
    if (entry_function == nullptr) throw std::runtime_error(path + " has no " + kPluginEntrySymbol);
    const PipehostPluginEntry* entry = entry_function();
    if (entry->magic != kPipehostPluginMagic || entry->abi_major != kAbiMajor) {
      throw std::runtime_error(path + ": not a plugin of this SDK's ABI");
    }
    if (const char* error = entry->describe(&descriptor_))
      throw std::runtime_error(path + ": describe failed: " + error);
  }

  const PluginDescriptor& descriptor() const { return *descriptor_; }

  /// The descriptor of the plugin's stage of this kind; throws when it has none.
  const StageDescriptor& stage(StageKind kind) const {
    for (const StageDescriptor& stage : descriptor_->stages) {
      if (stage.kind == kind) return stage;
    }
    throw std::runtime_error(descriptor_->name + " has no " + to_string(kind) + " stage");
  }

  /// Creates the stage of `Interface`'s kind; throws std::runtime_error with the factory's message.
  template <class Interface>
  std::unique_ptr<Interface> create(const StageContext& context) const {
    std::unique_ptr<Stage> stage;
    Status status = this->stage(Interface::kKind).create(context, stage);
    if (!status) throw std::runtime_error(status.message());
    // The descriptor's kind says what the object is (a dynamic_cast across libraries is not reliable).
    return std::unique_ptr<Interface>(static_cast<Interface*>(stage.release()));
  }

 private:
  const PluginDescriptor* descriptor_ = nullptr;
};

}  // namespace pipehost::test
