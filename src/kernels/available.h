// Which optimized kernel libraries this build has (see kernels/cpu).
#pragma once

namespace morel::kernels {

// True when the optimized CPU kernels (oneDNN) are built in; false in builds
// made with MOREL_WITH_DNNL=OFF, which run the reference kernels only.
bool cpu_kernels_available();

}  // namespace morel::kernels
