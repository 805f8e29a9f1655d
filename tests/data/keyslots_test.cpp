#include "data/keyslots.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace rx::data {
namespace {

const crypto::ScryptParams kFast{1u << 10, 8, 1};
const std::string kStore = "00112233445566778899aabbccddeeff";

TEST(KeySlot, SlotBoundToUserAndStore) {
  SecretBytes dbKey = crypto::randomSecret(32);
  auto slot = KeySlotFile::makeSlot(kStore, "wang", "pw", dbKey, kFast);
  ASSERT_TRUE(slot);
  auto priv = KeySlotFile::unlock(kStore, *slot, "pw");
  ASSERT_TRUE(priv);
  auto keys = KeySlotFile::databaseKeysFor(kStore, *slot, *priv);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], dbKey);

  KeySlot renamed = *slot;
  renamed.user = "li";  // a slot relabelled as another user does not open
  EXPECT_EQ(KeySlotFile::unlock(kStore, renamed, "pw").status().code(), ErrorCode::kAuthFailed);
  EXPECT_EQ(KeySlotFile::unlock("ffeeddccbbaa99887766554433221100", *slot, "pw").status().code(),
            ErrorCode::kAuthFailed);
}

TEST(KeySlot, FileRoundTripsAndIsWrittenAtomically) {
  test::TempDir dir;
  KeySlotFile f;
  f.storeId = kStore;
  auto slot = KeySlotFile::makeSlot(kStore, "wang", "pw", crypto::randomSecret(32), kFast);
  ASSERT_TRUE(slot);
  f.slots.push_back(*slot);
  ASSERT_TRUE(f.save(dir.file("s.keys")));
  auto back = KeySlotFile::load(dir.file("s.keys"));
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->storeId, kStore);
  ASSERT_EQ(back->slots.size(), 1u);
  EXPECT_EQ(back->slots[0].publicKey, slot->publicKey);
  EXPECT_EQ(back->slots[0].kdf.cost, kFast.cost);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "s.keys") << "temporary file left behind";
}

TEST(KeySlot, MalformedFilesNameTheField) {
  test::TempDir dir;
  struct Case {
    const char* text;
    const char* field;
  } cases[] = {
      {"not json", "not JSON"},
      {R"({"format":"x","version":1})", "format"},
      // A member of another type than expected is refused, not thrown (as fuzz_backup found in the
      // backup header).
      {R"({"format":1,"version":1})", "format"},
      {R"({"format":"rxdesk-keyslots","version":1,"store_id":"00112233445566778899aabbccddeeff","slots":[{"user":"a","kdf":{"algorithm":["scrypt"],"N":1024,"r":8,"p":1}}]})",
       "kdf"},
      {R"({"format":"rxdesk-keyslots","version":2,"store_id":"00112233445566778899aabbccddeeff","slots":[]})",
       "version"},
      {R"({"format":"rxdesk-keyslots","version":1,"store_id":"00112233445566778899aabbccddeeff","slots":{}})",
       "slots"},
      {R"({"format":"rxdesk-keyslots","version":1,"store_id":"00112233445566778899aabbccddeeff","slots":[{"user":"a","kdf":{"algorithm":"scrypt","N":1024,"r":8,"p":1}}]})",
       "salt"},
      {R"({"format":"rxdesk-keyslots","version":1,"store_id":"00112233445566778899aabbccddeeff","slots":[{"user":"a","kdf":{"algorithm":"scrypt","N":1099511627776,"r":8,"p":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}}]})",
       "scrypt"},
  };
  for (const auto& c : cases) {
    std::ofstream(dir.file("k.keys"), std::ios::trunc) << c.text;
    auto r = KeySlotFile::load(dir.file("k.keys"));
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.status().message().find(c.field), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace rx::data
