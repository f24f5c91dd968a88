// pipehost SDK version and ABI identity.
//
// The ABI version is what the host checks before it touches anything else in a plugin:
// a different major, or a newer minor than the host's, is refused (see docs/plugin-authoring.md).
// Bump the major when a type that crosses the boundary changes layout or a virtual function is
// added, removed or reordered; bump the minor for additions the host can detect (struct_size).
#pragma once

#include <cstdint>

namespace pipehost {

/// SDK ABI major version. Plugins built with another major are refused.
inline constexpr std::uint32_t kAbiMajor = 2;
/// SDK ABI minor version. Plugins built with a newer minor than the host's are refused.
inline constexpr std::uint32_t kAbiMinor = 0;
/// SDK release version, for humans (`pipehost plugins`, docs).
inline constexpr const char* kSdkVersion = "2.1.0";

/// Which C++ standard library a binary was built against. Standard-library types cross the plugin
/// boundary, so host and plugin must agree (see docs/plugin-authoring.md, "ABI rules").
enum class StdLib : std::uint32_t { unknown = 0, libstdcxx = 1, libcxx = 2 };

}  // namespace pipehost
