// version.hpp — the version string.
#pragma once

namespace ctxrun {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace ctxrun
