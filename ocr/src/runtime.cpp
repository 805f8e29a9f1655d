#include "ocr/runtime.h"

#include <unistd.h>

#include <cstdlib>

namespace rx::ocr {

void ensureSingleThreadedOpenMp(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT")) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure; carry on, slower but correct.
}

}  // namespace rx::ocr
