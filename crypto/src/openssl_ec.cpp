#include "openssl_ec.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <string>

namespace rx::crypto::internal {

namespace {

// Keeps OpenSSL's per-thread error queue as the caller left it: a rejected signature pushes
// errors there, and other users of libcrypto in the process (SQLCipher) read that queue.
class ErrorQueueMark {
 public:
  ErrorQueueMark() { ERR_set_mark(); }
  ~ErrorQueueMark() { ERR_pop_to_mark(); }
  ErrorQueueMark(const ErrorQueueMark&) = delete;
  ErrorQueueMark& operator=(const ErrorQueueMark&) = delete;
};

// Returns the minimal DER INTEGER content of the big-endian unsigned `v` appended to `out`.
void appendDerInteger(Bytes& out, const std::uint8_t* v, std::size_t size) {
  std::size_t skip = 0;
  while (skip + 1 < size && v[skip] == 0) ++skip;
  const bool pad = (v[skip] & 0x80) != 0;
  out.push_back(0x02);
  out.push_back(static_cast<std::uint8_t>(size - skip + (pad ? 1 : 0)));
  if (pad) out.push_back(0);
  out.insert(out.end(), v + skip, v + size);
}

}  // namespace

Bytes rawSignatureToDer(const std::uint8_t* raw, std::size_t scalarSize) {
  Bytes body;
  body.reserve(2 * scalarSize + 6);
  appendDerInteger(body, raw, scalarSize);
  appendDerInteger(body, raw + scalarSize, scalarSize);
  Bytes der;
  der.reserve(body.size() + 3);
  der.push_back(0x30);
  if (body.size() >= 0x80) der.push_back(0x81);  // P-256 and SM2 bodies stay below 256 bytes
  der.push_back(static_cast<std::uint8_t>(body.size()));
  der.insert(der.end(), body.begin(), body.end());
  return der;
}

Result<std::unique_ptr<OpenSslEcKey>> OpenSslEcKey::fromPoint(KeyType curve,
                                                              const std::uint8_t* uncompressed65) {
  if (curve != KeyType::kEcP256 && curve != KeyType::kSm2)
    return Status(ErrorCode::kInternal, "OpenSSL EC key for a key type that is not EC");
  ErrorQueueMark mark;
  // An "SM2" key (not an "EC" key on the SM2 curve) so that OpenSSL verifies with SM2, not ECDSA.
  const bool sm2 = curve == KeyType::kSm2;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, sm2 ? "SM2" : "EC", nullptr);
  if (ctx == nullptr) return Status(ErrorCode::kInternal, "OpenSSL has no EC or SM2 support");
  static char kSm2Group[] = "SM2", kP256Group[] = "prime256v1";  // OSSL_PARAM wants char*
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, sm2 ? kSm2Group : kP256Group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<std::uint8_t*>(uncompressed65), 65),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  const bool built = EVP_PKEY_fromdata_init(ctx) == 1 &&
                     EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!built || key == nullptr)
    return Status(ErrorCode::kInternal, std::string("OpenSSL refused a validated ") +
                                            std::string(keyTypeName(curve)) + " public key");
  return std::unique_ptr<OpenSslEcKey>(new OpenSslEcKey(curve, key));
}

OpenSslEcKey::~OpenSslEcKey() {
  for (EVP_PKEY_CTX* ctx : idle_) EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key_);
}

EVP_PKEY_CTX* OpenSslEcKey::takeContext() const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      EVP_PKEY_CTX* ctx = idle_.back();
      idle_.pop_back();
      return ctx;
    }
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr);
  if (ctx == nullptr) return nullptr;
  // The digest only fixes the length OpenSSL accepts (32 bytes); the message is hashed by rxdesk.
  const EVP_MD* md = curve_ == KeyType::kSm2 ? EVP_sm3() : EVP_sha256();
  if (EVP_PKEY_verify_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) {
    EVP_PKEY_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

void OpenSslEcKey::returnContext(EVP_PKEY_CTX* ctx) const {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(ctx);
}

Result<bool> OpenSslEcKey::verifyDigest(const std::uint8_t* der, std::size_t derSize,
                                        const std::uint8_t* digest) const {
  ErrorQueueMark mark;
  EVP_PKEY_CTX* ctx = takeContext();
  if (ctx == nullptr)
    return Status(ErrorCode::kInternal, "OpenSSL could not set up a verification context");
  // 1 is a match; 0 a mismatch; below 0 an error (e.g. a DER OpenSSL does not take), which rxdesk
  // treats as a mismatch: OpenSSL can only make verification stricter, never more lenient.
  const int rc = EVP_PKEY_verify(ctx, der, derSize, digest, 32);
  returnContext(ctx);
  return rc == 1;
}

}  // namespace rx::crypto::internal
