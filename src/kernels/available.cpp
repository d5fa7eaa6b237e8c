#include "kernels/available.h"

namespace morel::kernels {

bool cpu_kernels_available() {
#if defined(MOREL_WITH_DNNL)
  return true;
#else
  return false;
#endif
}

}  // namespace morel::kernels
