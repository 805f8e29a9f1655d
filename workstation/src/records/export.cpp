#include "workstation/export.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/signature.h"
#include "data/audit.h"
#include "data/exports.h"
#include "data/files.h"
#include "data/pharmacy.h"
#include "pdf_document.h"
#include "workstation/csv.h"
#include "workstation/review.h"
#include "workstation/settings.h"
#include "workstation/voucher.h"

namespace rx::ws {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kSignature = "manifest.sig";

// A file written through a running SHA-256; private to the user (0600) from its creation, never
// through a link, never over an existing file (O_EXCL | O_NOFOLLOW).
class HashedFile {
 public:
  explicit HashedFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0) error_ = errno;
  }
  ~HashedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  HashedFile(const HashedFile&) = delete;
  HashedFile& operator=(const HashedFile&) = delete;
  void write(std::string_view bytes) {
    sha_.update(bytes);
    size_ += bytes.size();
    while (fd_ >= 0 && !error_ && !bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : EIO;
        break;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  Result<json> close(const std::string& name, std::int64_t rows) {
    if (fd_ >= 0 && !error_ && ::fsync(fd_) != 0) error_ = errno;
    if (fd_ >= 0 && ::close(fd_) != 0 && !error_) error_ = errno;
    fd_ = -1;
    if (error_)
      return Status(ErrorCode::kIo, "cannot write " + path_ + ": " + std::strerror(error_) +
                                        (error_ == ENOSPC ? " (the disk is full)" : ""));
    return json{
        {"name", name}, {"bytes", size_}, {"sha256", crypto::toHex(sha_.finish())}, {"rows", rows}};
  }

 private:
  std::string path_;
  int fd_ = -1;
  int error_ = 0;
  crypto::Sha256Stream sha_;
  std::uint64_t size_ = 0;
};

// The export folder: made owner-only, and refused when it is a link or someone else's.
Status preparePrivateFolder(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status(ErrorCode::kInvalidArgument,
                  dir + " is not a folder (a link to one is not accepted for an export)");
  if (st.st_uid != ::geteuid())
    return Status(ErrorCode::kPermissionDenied,
                  dir + " belongs to another user; give a folder of your own for the export");
  if (::chmod(dir.c_str(), 0700) != 0)
    return Status(ErrorCode::kIo, "cannot make " + dir + " private (" + std::strerror(errno) + ")");
  return Status::ok();
}

std::optional<std::string> mask(const std::optional<std::string>& v, data::ColumnKind kind) {
  if (!v) return v;
  if (kind == data::ColumnKind::kPatientId) return maskIdNumber(*v);
  if (kind == data::ColumnKind::kPatientName) return maskedName(*v);
  if (kind == data::ColumnKind::kSigned) return "sha256:" + crypto::toHex(crypto::sha256(*v));
  return v;
}

// [from 00:00, to+1 00:00) in Beijing time, as UTC timestamps; errors name the option.
Result<std::pair<std::string, std::string>> utcRange(const std::string& from,
                                                     const std::string& to) {
  if (!isIsoDate(from))
    return Status(ErrorCode::kInvalidArgument, "--from '" + from + "' is not YYYY-MM-DD");
  if (!isIsoDate(to))
    return Status(ErrorCode::kInvalidArgument, "--to '" + to + "' is not YYYY-MM-DD");
  auto range = beijingDaysAsUtc(from, to);
  if (!range) return Status(ErrorCode::kInvalidArgument, "--to is before --from");
  return *range;
}

crypto::SignatureScheme schemeFor(crypto::KeyType t) {
  switch (t) {
    case crypto::KeyType::kEd25519:
      return crypto::SignatureScheme::kEd25519;
    case crypto::KeyType::kEcP256:
      return crypto::SignatureScheme::kEcdsaP256Sha256;
    case crypto::KeyType::kSm2:
      return crypto::SignatureScheme::kSm2Sm3;
    case crypto::KeyType::kRsa:
      return crypto::SignatureScheme::kRsaPssSha256;
  }
  return crypto::SignatureScheme::kEd25519;
}

Result<std::string> summaryPdf(const json& manifest) {
  PdfDocument pdf(595.3, 841.9, "rxdesk export " + manifest["from"].get<std::string>());
  const double left = 48, width = 595.3 - 96;
  double y = 56;
  y += pdf.text(left, y, width, manifest["pharmacy"]["name"].get<std::string>(), 15, true,
                PdfDocument::Align::kCenter) +
       4;
  y += pdf.text(left, y, width, "监管数据导出 Export for inspection", 12, true,
                PdfDocument::Align::kCenter) +
       12;
  auto line = [&](const std::string& label, const std::string& value) {
    pdf.text(left, y, 170, label, 9);
    y += pdf.text(left + 170, y, width - 170, value, 9) + 3;
  };
  line("统一社会信用代码 USCC", manifest["pharmacy"]["uscc"].get<std::string>());
  line("期间 Period", manifest["from"].get<std::string>() + " — " +
                          manifest["to"].get<std::string>() + "（北京时间）");
  line("导出人 Exported by", manifest["created_by"].get<std::string>());
  line("导出时间 Exported at", chinaTime(manifest["created_at"].get<std::string>()));
  line("患者信息 Patients", manifest["masked"].get<bool>() ? "已脱敏 masked" : "完整 complete");
  line("签名密钥 Signing key", manifest["key"]["key_id"].get<std::string>());
  y += 8;
  pdf.rule(left, left + width, y);
  y += 6;
  for (const auto& f : manifest["files"]) {
    pdf.text(left, y, 170, f["name"].get<std::string>(), 9, true);
    pdf.text(left + 170, y, 80, std::to_string(f["rows"].get<std::int64_t>()) + " rows", 9);
    y += pdf.text(left + 250, y, width - 250, f["sha256"].get<std::string>(), 7) + 5;
  }
  y += 10;
  pdf.text(left, y, width,
           "Check with: rxdesk-cli export verify <folder>. The manifest lists every file's SHA-256 "
           "and is signed with the pharmacy's key (manifest.sig).",
           8);
  return pdf.finish();
}

}  // namespace

namespace {

Status exportCancelled(const std::string& outDir) {
  return Status(ErrorCode::kCancelled,
                "The export to " + outDir + " was cancelled; nothing was left in the folder");
}

// Writes each table as JSON and CSV into the export folder, naming every file in `written` before
// creating it (so that a failure can take it away again). Returns the manifest's file entries.
Result<json> writeTables(data::Connection& conn,
                         const std::vector<const data::ExportTable*>& tables,
                         const ExportRequest& request,
                         const std::pair<std::string, std::string>& range,
                         const std::function<void(std::int64_t, std::int64_t)>& progress,
                         const std::stop_token& stop, std::vector<std::string>& written,
                         ExportSummary& summary) {
  std::int64_t total = 0, done = 0;
  for (const auto* t : tables) {
    RX_ASSIGN_OR_RETURN(std::int64_t n, data::countExportRows(conn, *t, range.first, range.second));
    total += n;
  }
  json files = json::array();
  for (const auto* t : tables) {
    const std::string base = request.outDir + "/" + t->name;
    written.push_back(base + ".json");
    written.push_back(base + ".csv");
    HashedFile jsonFile(base + ".json"), csvFile(base + ".csv");
    csvFile.write(kUtf8Bom);
    std::string header;
    for (const auto& c : t->columns) header += (header.empty() ? "" : ",") + std::string(c.name);
    csvFile.write(header + "\r\n");
    jsonFile.write("[");
    std::int64_t rows = 0;
    RX_RETURN_IF_ERROR(data::forEachExportRow(
        conn, *t, range.first, range.second,
        [&](const std::vector<std::optional<std::string>>& values) -> Status {
          if (stop.stop_requested()) return exportCancelled(request.outDir);
          json obj = json::object();
          std::string line;
          for (std::size_t i = 0; i < values.size(); ++i) {
            auto v = request.maskPatients ? mask(values[i], t->columns[i].kind) : values[i];
            obj[t->columns[i].name] = v ? json(*v) : json(nullptr);
            line += (i ? "," : "") + csvField(v);
          }
          jsonFile.write((rows ? ",\n" : "\n") + obj.dump());
          csvFile.write(line + "\r\n");
          ++rows;
          if (progress && (++done % 1000 == 0 || done == total)) progress(done, total);
          return Status();
        }));
    jsonFile.write("\n]\n");
    RX_ASSIGN_OR_RETURN(json j, jsonFile.close(std::string(t->name) + ".json", rows));
    RX_ASSIGN_OR_RETURN(json c, csvFile.close(std::string(t->name) + ".csv", rows));
    files.push_back(j);
    files.push_back(c);
    summary.rows[t->name] = rows;
  }
  return files;
}

// The summary for people, the manifest listing every file's hash, and its signature with the
// pharmacy's key; the export is complete once the signature is there.
Status writeSignedManifest(Session& session, const ExportRequest& request, json files,
                           std::vector<std::string>& written, ExportSummary& summary) {
  data::Connection& conn = session.store().connection();
  RX_ASSIGN_OR_RETURN(crypto::SigningKey key, data::loadPharmacyKey(conn));
  RX_ASSIGN_OR_RETURN(PharmacyProfile pharmacy, SettingsService(session).pharmacy());
  json manifest = {{"format", "rxdesk-export"},
                   {"version", 1},
                   {"pharmacy", {{"name", pharmacy.name}, {"uscc", pharmacy.uscc}}},
                   {"store_id", session.store().storeId()},
                   {"from", request.from},
                   {"to", request.to},
                   {"masked", request.maskPatients},
                   {"created_at", utcTimestamp()},
                   {"created_by", session.user().name},
                   {"key",
                    {{"key_id", key.publicKey().keyId()},
                     {"spki", crypto::toBase64Url(key.publicKey().spki())}}},
                   {"files", std::move(files)}};
  // The audit chain's head, kept outside the store (see data::AuditAnchor).
  RX_ASSIGN_OR_RETURN(auto head, data::AuditLog(conn).head());
  if (head) manifest["audit_head"] = {{"seq", head->seq}, {"hash", crypto::toHex(head->hash)}};
  // The summary is listed in the manifest too, so it is covered by the signature.
  RX_ASSIGN_OR_RETURN(std::string pdf, summaryPdf(manifest));
  written.push_back(request.outDir + "/summary.pdf");
  RX_RETURN_IF_ERROR(data::writeFileAtomically(written.back(), pdf, 0600));
  manifest["files"].push_back({{"name", "summary.pdf"},
                               {"bytes", pdf.size()},
                               {"sha256", crypto::toHex(crypto::sha256(pdf))},
                               {"rows", 0}});
  const std::string manifestText = manifest.dump(2) + "\n";
  RX_ASSIGN_OR_RETURN(crypto::Bytes signature, key.sign(crypto::toBytes(manifestText)));
  written.push_back(request.outDir + "/" + kManifest);
  RX_RETURN_IF_ERROR(data::writeFileAtomically(written.back(), manifestText, 0600));
  written.push_back(request.outDir + "/" + kSignature);
  RX_RETURN_IF_ERROR(
      data::writeFileAtomically(written.back(), crypto::toBase64Url(signature) + "\n", 0600));
  for (const auto& f : manifest["files"]) summary.files.push_back(f["name"].get<std::string>());
  summary.keyId = key.publicKey().keyId();
  return Status();
}

}  // namespace

Result<ExportSummary> writeExport(Session& session, const ExportRequest& request,
                                  const std::function<void(std::int64_t, std::int64_t)>& progress,
                                  std::stop_token stop) {
  RX_RETURN_IF_ERROR(session.require(data::Role::kSupervisor, "export records for inspectors"));
  RX_ASSIGN_OR_RETURN(auto range, utcRange(request.from, request.to));
  std::vector<const data::ExportTable*> tables;
  for (const auto& t : data::exportTables())
    if (request.what.empty() || request.what.count(t.name)) tables.push_back(&t);
  for (const auto& w : request.what)
    if (std::none_of(tables.begin(), tables.end(), [&](const auto* t) { return w == t->name; }))
      return Status(
          ErrorCode::kInvalidArgument,
          "--what '" + w + "' is not one of sales, reviews, consultations, traceability, audit");
  std::error_code ec;
  if (fs::exists(request.outDir, ec) && !fs::is_empty(request.outDir, ec))
    return Status(ErrorCode::kAlreadyExists,
                  request.outDir + " is not empty; give a new folder for the export");
  const bool folderWasThere = fs::exists(request.outDir, ec);
  RX_RETURN_IF_ERROR(preparePrivateFolder(request.outDir));

  // A half-written export is never left behind: a failure or a cancel takes away what was written
  // (and the folder, when it made it), so what inspectors find is complete and signed, or nothing.
  std::vector<std::string> written;
  ExportSummary summary;
  Status st = [&]() -> Status {
    RX_ASSIGN_OR_RETURN(json files, writeTables(session.store().connection(), tables, request,
                                                range, progress, stop, written, summary));
    if (stop.stop_requested()) return exportCancelled(request.outDir);
    RX_RETURN_IF_ERROR(writeSignedManifest(session, request, std::move(files), written, summary));
    // Patient data leaves the store only with its audit entry: no entry, no export.
    return session
        .audit("export", request.outDir,
               {{"from", request.from},
                {"to", request.to},
                {"rows", summary.rows},
                {"masked", request.maskPatients}})
        .status();
  }();
  if (!st) {
    for (const std::string& f : written) fs::remove(f, ec);
    if (!folderWasThere) fs::remove(request.outDir, ec);  // only when empty
    return st;
  }
  return summary;
}

Result<ExportCheck> verifyExport(const std::string& dir) {
  auto corrupt = [&](const std::string& what) {
    return Status(ErrorCode::kCorrupt, dir + ": " + what);
  };
  RX_ASSIGN_OR_RETURN(std::string manifestText,
                      data::readWholeFile(dir + "/" + kManifest, 16u << 20));
  RX_ASSIGN_OR_RETURN(std::string sigText, data::readWholeFile(dir + "/" + kSignature, 4096));
  while (!sigText.empty() && (sigText.back() == '\n' || sigText.back() == '\r')) sigText.pop_back();
  json m = json::parse(manifestText, nullptr, false);
  if (!m.is_object() || crypto::textOr(m, "format") != "rxdesk-export" || !m.contains("files") ||
      !m["files"].is_array() || !crypto::memberOrNull(m, "key").is_object())
    return corrupt("manifest.json is not an rxdesk export manifest");
  auto spki = crypto::fromBase64Url(crypto::textOr(m["key"], "spki"));
  if (!spki) return corrupt("the manifest's key is not base64url");
  RX_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::fromSpki(*spki));
  if (key.keyId() != crypto::textOr(m["key"], "key_id"))
    return corrupt("the manifest's key id does not match its key");
  auto sig = crypto::fromBase64Url(sigText);
  if (!sig) return corrupt("manifest.sig is not base64url");
  if (Status s =
          crypto::verifySignature(key, schemeFor(key.type()), crypto::toBytes(manifestText), *sig);
      !s)
    return Status(ErrorCode::kBadSignature,
                  dir + ": the manifest's signature does not verify (manifest.json was altered)");
  std::set<std::string> listed = {kManifest, kSignature};
  for (const auto& f : m["files"]) {
    const std::string name = crypto::textOr(f, "name");
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      return corrupt("the manifest names a file '" + name + "' outside the folder");
    listed.insert(name);
    auto bytes = data::readWholeFile(dir + "/" + name, 8ull << 30);
    if (!bytes) return corrupt(name + " is missing or unreadable");
    if (crypto::unsignedOr(f, "bytes") != std::optional<std::uint64_t>(bytes->size()) ||
        crypto::toHex(crypto::sha256(*bytes)) != crypto::textOr(f, "sha256"))
      return corrupt(name + " does not match its SHA-256 in the manifest (altered or damaged)");
  }
  for (const auto& entry : fs::directory_iterator(dir))
    if (!listed.count(entry.path().filename().string()))
      return corrupt(entry.path().filename().string() + " is not part of the export");
  ExportCheck check{key.keyId(),
                    crypto::textOr(crypto::memberOrNull(m, "pharmacy"), "name"),
                    crypto::textOr(m, "from"),
                    crypto::textOr(m, "to"),
                    static_cast<int>(m["files"].size()),
                    crypto::textOr(m, "store_id"),
                    std::nullopt};
  if (const json& head = crypto::memberOrNull(m, "audit_head"); !head.is_null()) {
    const auto seq = crypto::unsignedOr(head, "seq");
    auto hash = crypto::fromHex(crypto::textOr(head, "hash"));
    if (!seq || !hash || hash->size() != 32) return corrupt("the manifest's audit head is damaged");
    data::AuditAnchor anchor;
    anchor.seq = static_cast<std::int64_t>(*seq);
    std::copy(hash->begin(), hash->end(), anchor.hash.begin());
    anchor.source = "the export " + dir + " of " + crypto::textOr(m, "created_at");
    check.auditHead = anchor;
  }
  return check;
}

}  // namespace rx::ws
