// Assertions on Status/Result that print the error's code and message when they fail.
#pragma once

#include <gtest/gtest.h>

#include "base/status.h"

namespace rx::test {

inline ::testing::AssertionResult isOk(const Status& s) {
  if (s.isOk()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "[" << errorCodeName(s.code()) << "] " << s.message();
}
template <typename T>
::testing::AssertionResult isOk(const Result<T>& r) {
  return isOk(r.status());
}

}  // namespace rx::test

#define RX_ASSERT_OK(expr) ASSERT_TRUE(::rx::test::isOk(expr))
#define RX_EXPECT_OK(expr) EXPECT_TRUE(::rx::test::isOk(expr))
