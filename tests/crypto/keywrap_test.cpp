#include "crypto/keywrap.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"

namespace rx::crypto {
namespace {

const ScryptParams kFast{1u << 10, 8, 1};

TEST(Scrypt, RefusesSaltsShorterThan16Bytes) {
  auto key = deriveKeyFromPassword("password", toBytes("NaCl"), kFast);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(key.status().message().find("salt"), std::string::npos);
}

TEST(Scrypt, SamePasswordAndSaltGiveSameKeyOtherwiseDifferent) {
  Bytes salt = randomBytes(16);
  auto a = deriveKeyFromPassword("correct horse", salt, kFast);
  auto b = deriveKeyFromPassword("correct horse", salt, kFast);
  auto c = deriveKeyFromPassword("correct horsf", salt, kFast);
  auto d = deriveKeyFromPassword("correct horse", randomBytes(16), kFast);
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_NE(*a, *d);
}

TEST(Scrypt, RefusesHostileParameters) {
  EXPECT_FALSE(scryptParamsAcceptable({1000, 8, 1}));       // not a power of two
  EXPECT_FALSE(scryptParamsAcceptable({1u << 24, 8, 16}));  // gigabytes
  EXPECT_FALSE(scryptParamsAcceptable({1u << 4, 8, 1}));    // too weak
  EXPECT_TRUE(scryptParamsAcceptable(ScryptParams{}));
  // 128 * N * r * p wraps to a small number at N = 2^57: each parameter is bounded on its own
  // (issue 25 #3), and a derivation with it is refused, not an allocation failure.
  EXPECT_FALSE(scryptParamsAcceptable({1ull << 57, 8, 1}));
  EXPECT_FALSE(scryptParamsAcceptable({1ull << 61, 8, 16}));
  const Bytes salt(16, 7);
  auto wrapped = deriveKeyFromPassword("pw", salt, {1ull << 57, 8, 1});
  ASSERT_FALSE(wrapped);
  EXPECT_EQ(wrapped.status().code(), ErrorCode::kInvalidArgument);
}

TEST(AesGcm, OpensOnlyWithSameKeyAndAad) {
  SecretBytes key = randomSecret(32);
  Bytes msg = toBytes("database key material");
  Sealed s = aesGcmSeal(key, msg.data(), msg.size(), "store=1|user=a");
  EXPECT_EQ(s.nonce.size(), 12u);
  auto ok = aesGcmOpen(key, s, "store=1|user=a");
  ASSERT_TRUE(ok);
  EXPECT_EQ(Bytes(ok->begin(), ok->end()), msg);

  EXPECT_EQ(aesGcmOpen(key, s, "store=1|user=b").status().code(), ErrorCode::kAuthFailed);
  EXPECT_EQ(aesGcmOpen(randomSecret(32), s, "store=1|user=a").status().code(),
            ErrorCode::kAuthFailed);
  Sealed flipped = s;
  flipped.ciphertext[3] ^= 1;
  EXPECT_EQ(aesGcmOpen(key, flipped, "store=1|user=a").status().code(), ErrorCode::kAuthFailed);
  Sealed shortNonce = s;
  shortNonce.nonce.pop_back();
  EXPECT_FALSE(aesGcmOpen(key, shortNonce, "store=1|user=a"));
}

TEST(SealedBox, OnlyTheRecipientOpensIt) {
  X25519KeyPair alice = generateX25519(), bob = generateX25519();
  EXPECT_EQ(x25519PublicFromPrivate(alice.privateKey), alice.publicKey);
  SecretBytes secret = randomSecret(32);
  auto sealed = sealToPublicKey(alice.publicKey, secret, "aad");
  ASSERT_TRUE(sealed);
  auto opened = openSealed(alice.privateKey, *sealed, "aad");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, secret);
  EXPECT_FALSE(openSealed(bob.privateKey, *sealed, "aad"));
  EXPECT_FALSE(openSealed(alice.privateKey, *sealed, "other aad"));
}

TEST(SealedBox, RefusesSmallOrderPublicKey) {
  Bytes zero(32, 0);  // the identity point: every shared secret would be zero
  EXPECT_FALSE(sealToPublicKey(zero, randomSecret(32), "aad"));
}

TEST(Hashes, KnownAnswers) {
  EXPECT_EQ(toHex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // GB/T 32905-2016 example 1: SM3("abc").
  Bytes abc = toBytes("abc");
  EXPECT_EQ(toHex(sm3(abc.data(), abc.size())),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

}  // namespace
}  // namespace rx::crypto
