// Test plugin built with a different SDK ABI than the host's (ABI_MAJOR_DELTA / ABI_MINOR_DELTA).
#include "pipehost/sdk.hpp"

namespace {
const char* describe(const pipehost::PluginDescriptor** out) noexcept {
  static pipehost::PluginDescriptor descriptor{"abi-mismatch", "1.0.0", "must never be described"};
  *out = &descriptor;
  return nullptr;
}
}  // namespace

extern "C" PIPEHOST_PLUGIN_EXPORT const PipehostPluginEntry* pipehost_plugin_entry() noexcept {
  static const PipehostPluginEntry entry{
      pipehost::kPipehostPluginMagic,
      sizeof(PipehostPluginEntry),
      pipehost::kAbiMajor + ABI_MAJOR_DELTA,
      pipehost::kAbiMinor + ABI_MINOR_DELTA,
      static_cast<std::uint32_t>(pipehost::detail::built_stdlib()),
      pipehost::detail::built_cxx11_abi(),
      pipehost::detail::built_stdlib_version(),
      pipehost::kSdkVersion,
      __VERSION__,
      &describe,
  };
  return &entry;
}
