// Reading a backup file: its header, its checksums, and extracting its two parts for a restore.
#include "backup_internal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/json.h"
#include "data/audit.h"

namespace rx::ws {

using nlohmann::json;

namespace backup_internal {

Status createPrivateFile(const std::string& path, std::ofstream& out) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status(errno == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kIo,
                  "cannot create " + path + ": " + std::strerror(errno));
  ::close(fd);
  out.open(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(ErrorCode::kIo, "cannot write " + path);
  return Status::ok();
}

namespace {

// Parsed layout of a backup file.
struct Layout {
  BackupInfo info;
  std::uint64_t dataOffset = 0;  // where the store bytes start
  std::string storeSha, keysSha;
};

Result<Layout> readLayout(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot open the backup " + path);
  std::string magic(kMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (magic != kMagic)
    return Status(ErrorCode::kCorrupt, path + " is not an rxdesk backup (bad header)");
  // Read up to the newline, but no further than a header can be: a file without one must not
  // make the reader take memory up to its size.
  constexpr std::size_t kMaxHeader = 65536;
  std::string headerLine;
  bool ended = false;
  for (char c; headerLine.size() <= kMaxHeader && in.get(c);) {
    if (c == '\n') {
      ended = true;
      break;
    }
    headerLine.push_back(c);
  }
  if (!ended)
    return Status(ErrorCode::kCorrupt, path + ": the backup header is missing or damaged");
  auto header = crypto::parseStrictJson(headerLine, path + " header", {65536, 4});
  if (!header || !header->is_object() || crypto::textOr(*header, "format") != "rxdesk-backup")
    return Status(ErrorCode::kCorrupt, path + ": the backup header is damaged");
  Layout l;
  try {
    l.info.storeId = header->at("store_id").get<std::string>();
    l.info.createdAt = header->at("created_at").get<std::string>();
    l.info.createdBy = header->at("created_by").get<std::string>();
    l.storeSha = header->at("store").at("sha256").get<std::string>();
    l.keysSha = header->at("keys").at("sha256").get<std::string>();
  } catch (const json::exception&) {
    return Status(ErrorCode::kCorrupt, path + ": the backup header lacks a field");
  }
  // Sizes must be whole non-negative numbers: a float such as 1e300 converted to an integer is
  // undefined behaviour (found by fuzz_backup).
  const auto storeSize = crypto::unsignedOr(crypto::memberOrNull(*header, "store"), "size");
  const auto keysSize = crypto::unsignedOr(crypto::memberOrNull(*header, "keys"), "size");
  if (!storeSize || !keysSize)
    return Status(ErrorCode::kCorrupt,
                  path + ": the backup header's part sizes must be whole numbers of bytes");
  l.info.storeBytes = *storeSize;
  l.info.keysBytes = *keysSize;
  if (const json& head = crypto::memberOrNull(*header, "audit_head"); !head.is_null()) {
    const auto seq = crypto::unsignedOr(head, "seq");
    auto hash = crypto::fromHex(crypto::textOr(head, "hash"));
    if (!seq || !hash || hash->size() != 32)
      return Status(ErrorCode::kCorrupt, path + ": the backup header's audit head is damaged");
    data::AuditAnchor anchor;
    anchor.seq = static_cast<std::int64_t>(*seq);
    std::copy(hash->begin(), hash->end(), anchor.hash.begin());
    anchor.source = "the backup " + path + " of " + l.info.createdAt;
    l.info.auditHead = anchor;
  }
  if (const json& chain = crypto::memberOrNull(*header, "chain_store"); !chain.is_null()) {
    if (!chain.is_string() || chain.get<std::string>().empty())
      return Status(ErrorCode::kCorrupt, path + ": the backup header's chain store is damaged");
    l.info.chainStore = chain.get<std::string>();
  }
  l.dataOffset = kMagic.size() + headerLine.size() + 1;
  return l;
}

// Streams `size` bytes from `in` to `out` (may be null), hashing them into `h` and `whole`.
Status copyPart(std::ifstream& in, std::uint64_t size, std::ofstream* out, crypto::Sha256Stream& h,
                crypto::Sha256Stream& whole) {
  std::vector<char> buf(1 << 20);
  while (size > 0) {
    const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(size, buf.size()));
    if (!in.read(buf.data(), n)) return Status(ErrorCode::kCorrupt, "the backup is truncated");
    h.update(reinterpret_cast<const std::uint8_t*>(buf.data()), static_cast<std::size_t>(n));
    whole.update(reinterpret_cast<const std::uint8_t*>(buf.data()), static_cast<std::size_t>(n));
    if (out && !out->write(buf.data(), n))
      return Status(ErrorCode::kIo, "cannot write while extracting the backup");
    size -= static_cast<std::uint64_t>(n);
  }
  return Status::ok();
}

}  // namespace

Result<BackupInfo> verifyAndExtract(const std::string& path, const std::string* storeOut,
                                    const std::string* keysOut) {
  RX_ASSIGN_OR_RETURN(Layout l, readLayout(path));
  std::ifstream in(path, std::ios::binary);
  crypto::Sha256Stream whole, storeHash, keysHash;
  std::string prefix(l.dataOffset, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  whole.update(reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size());
  std::ofstream storeFile, keysFile;
  if (storeOut) RX_RETURN_IF_ERROR(createPrivateFile(*storeOut, storeFile));
  if (keysOut) RX_RETURN_IF_ERROR(createPrivateFile(*keysOut, keysFile));
  RX_RETURN_IF_ERROR(
      copyPart(in, l.info.storeBytes, storeOut ? &storeFile : nullptr, storeHash, whole)
          .withContext(path));
  RX_RETURN_IF_ERROR(copyPart(in, l.info.keysBytes, keysOut ? &keysFile : nullptr, keysHash, whole)
                         .withContext(path));
  // Bounded like the header: a file with no end marker is not read into memory to its end.
  std::string trailer;
  for (char c; trailer.size() <= kTrailer.size() + 64 && in.get(c) && c != '\n';) trailer += c;
  const std::string expectWhole = hexDigest(whole);
  if (trailer.rfind(std::string(kTrailer), 0) != 0 || trailer.size() != kTrailer.size() + 64)
    return Status(ErrorCode::kCorrupt, path + ": the backup is truncated (no complete end marker)");
  if (trailer.substr(kTrailer.size()) != expectWhole)
    return Status(
        ErrorCode::kCorrupt,
        path + ": the backup's checksum does not match (the file was altered or damaged)");
  if (hexDigest(storeHash) != l.storeSha || hexDigest(keysHash) != l.keysSha)
    return Status(ErrorCode::kCorrupt, path + ": a part of the backup does not match its checksum");
  if (storeOut) {
    storeFile.flush();
    if (!storeFile) return Status(ErrorCode::kIo, "cannot write " + *storeOut);
  }
  return l.info;
}

}  // namespace backup_internal

Result<BackupInfo> checkBackup(const std::string& path) {
  return backup_internal::verifyAndExtract(path, nullptr, nullptr);
}

}  // namespace rx::ws
