// The curve arithmetic of ECDSA P-256 verification, done by OpenSSL's libcrypto (internal). It can
// verify SM2 too, but OpenSSL 3.0 has only generic code for that curve, slower than rxdesk's own
// tables (ec_tables.h), which SM2 uses. rxdesk's own checks (key validation, DER strictness, r and
// s in [1, n-1]) run before it and decide; OpenSSL only answers whether the equation holds for
// scalars already known to be valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/signature.h"

// OpenSSL's types, so that this header does not pull in <openssl/evp.h>.
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;

namespace rx::crypto::internal {

// A validated P-256 or SM2 public key as an OpenSSL EVP_PKEY, with verification contexts kept
// ready for reuse. Safe to use from several threads at once: each call takes a context of its own.
class OpenSslEcKey {
 public:
  // Builds the key from its uncompressed point (0x04 ‖ X ‖ Y), which the caller has validated.
  static Result<std::unique_ptr<OpenSslEcKey>> fromPoint(KeyType curve,
                                                         const std::uint8_t* uncompressed65);
  ~OpenSslEcKey();
  OpenSslEcKey(const OpenSslEcKey&) = delete;
  OpenSslEcKey& operator=(const OpenSslEcKey&) = delete;

  // Returns true iff the DER signature `der` (canonical, r and s already in [1, n-1]) verifies the
  // 32-byte `digest`: SHA-256(M) for P-256, e = SM3(Z_A ‖ M) for SM2. kInternal if OpenSSL could
  // not set up a context.
  Result<bool> verifyDigest(const std::uint8_t* der, std::size_t derSize,
                            const std::uint8_t* digest) const;

 private:
  OpenSslEcKey(KeyType curve, EVP_PKEY* key) : curve_(curve), key_(key) {}
  EVP_PKEY_CTX* takeContext() const;
  void returnContext(EVP_PKEY_CTX* ctx) const;

  KeyType curve_;
  EVP_PKEY* key_;
  // Contexts initialised for verification (EVP_PKEY_verify_init costs an algorithm fetch, and an
  // EVP_PKEY_CTX must not be shared between threads); at most one per concurrent caller.
  mutable std::mutex mutex_;
  mutable std::vector<EVP_PKEY_CTX*> idle_;
};

// Returns the DER SEQUENCE { INTEGER r, INTEGER s } of raw r‖s (`scalarSize` bytes each).
Bytes rawSignatureToDer(const std::uint8_t* raw, std::size_t scalarSize);

}  // namespace rx::crypto::internal
