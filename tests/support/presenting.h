// Tests that only need the record a presentation made.
#pragma once

#include "workstation/intake.h"

namespace rx::test {

inline Result<std::int64_t> presented(const Result<ws::Presentation>& p) {
  if (!p) return p.status();
  return p->record;
}

}  // namespace rx::test
