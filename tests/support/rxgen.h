// The synthetic prescription generator lives in the workstation (the demo data uses it); the
// tests know it by its old names.
#pragma once

#include "workstation/rxgen.h"

namespace rx::test {
using ws::CaptureOptions;
using ws::Conditions;
using ws::Medium;
using ws::mediumName;
using ws::GenDrug;
using ws::GenRx;
using ws::kLayoutCount;
using ws::RxGenerator;
}  // namespace rx::test
