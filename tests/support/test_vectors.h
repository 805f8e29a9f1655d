// The signature test vectors read in place from RXDESK_TESTVECTORS (../shared/testvectors by
// default: Project Wycheproof's files and SM2 vectors made by OpenSSL), for the crypto tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/bytes.h"

#ifndef RXDESK_TESTVECTORS
#error "test_vectors.h needs RXDESK_TESTVECTORS (set for crypto_tests in tests/CMakeLists.txt)"
#endif

namespace rx::test {

// The JSON file `relative` under the vectors' folder; an empty document and a test failure naming
// the folder to set when it cannot be read.
inline nlohmann::json loadVectors(const std::string& relative) {
  const std::string path = std::string(RXDESK_TESTVECTORS) + "/" + relative;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path
                  << ": the signature test vectors are missing. Point the CMake cache variable "
                     "RXDESK_TESTVECTORS at the folder holding wycheproof/ and sm2/ (default "
                     "../shared/testvectors beside the checkout).";
    return nlohmann::json();
  }
  return nlohmann::json::parse(in);
}

// A vector's hex string as bytes; a test failure (and no bytes) when it is not hex.
inline crypto::Bytes hexBytes(const nlohmann::json& v) {
  auto r = crypto::fromHex(v.get<std::string>());
  EXPECT_TRUE(r) << v;
  return r ? *r : crypto::Bytes{};
}

}  // namespace rx::test
