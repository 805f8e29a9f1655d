#include "data/connection.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace rx::data {

ErrorCode errorCodeForSqlite(int code) {
  switch (code & 0xff) {
    case SQLITE_OK:
      return ErrorCode::kOk;
    case SQLITE_NOTADB:
      return ErrorCode::kAuthFailed;
    case SQLITE_CORRUPT:
      return ErrorCode::kCorrupt;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return ErrorCode::kIo;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kConflict;
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConflict;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return ErrorCode::kInternal;
    default:
      return ErrorCode::kInternal;
  }
}

namespace {

// What a pharmacist or the support desk needs to know about a failed SQLite call on `path`: the
// cause in words (disk full, read-only, damaged) and that the operation left nothing behind.
Status describeFailure(sqlite3* db, int rc, std::string_view what, const std::string& path,
                       std::string_view detail) {
  const int primary = rc & 0xff;
  const int sysErrno = db ? sqlite3_system_errno(db) : 0;
  std::string msg = std::string(what) + " " + path + " failed";
  if (primary == SQLITE_FULL || sysErrno == ENOSPC || sysErrno == EFBIG || sysErrno == EDQUOT) {
    return Status(ErrorCode::kIo,
                  msg +
                      ": the disk is full (or a file size limit was reached); nothing of this "
                      "operation was saved. Free space and try again (" +
                      std::string(detail) + ")");
  }
  if (primary == SQLITE_READONLY || sysErrno == EROFS) {
    return Status(ErrorCode::kIo, msg +
                                      ": the store cannot be written (read-only disk or file "
                                      "permissions); nothing of this operation was saved (" +
                                      std::string(detail) + ")");
  }
  if (primary == SQLITE_CORRUPT) {
    return Status(ErrorCode::kCorrupt, msg + ": the store file is damaged (" + std::string(detail) +
                                           "); restore the last backup with `rxdesk-cli restore`");
  }
  if (primary == SQLITE_IOERR) {
    return Status(ErrorCode::kIo,
                  msg + ": the disk reported an error (" + std::string(detail) +
                      (sysErrno ? std::string(", ") + std::strerror(sysErrno) : "") +
                      "); nothing of this operation was saved");
  }
  return Status(errorCodeForSqlite(rc), msg + ": " + std::string(detail));
}

}  // namespace

Statement::~Statement() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && !bindError_) bindError_ = rc;
  return *this;
}
Statement& Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && !bindError_) bindError_ = rc;
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && !bindError_) bindError_ = rc;
  return *this;
}
Statement& Statement::bind(int index, const Bytes& blob) {
  // An empty vector's data() may be null, which SQLite would store as NULL rather than x''.
  static const std::uint8_t kEmpty = 0;
  int rc = sqlite3_bind_blob64(stmt_, index, blob.empty() ? &kEmpty : blob.data(), blob.size(),
                               SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !bindError_) bindError_ = rc;
  return *this;
}
Statement& Statement::bind(int index, const SecretBytes& blob) {
  int rc = sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !bindError_) bindError_ = rc;
  return *this;
}
Statement& Statement::bindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && !bindError_) bindError_ = rc;
  return *this;
}

Status Statement::bindStatus() const {
  if (!bindError_) return Status::ok();
  return Status(ErrorCode::kInternal, std::string("binding a parameter failed: ") +
                                          sqlite3_errstr(bindError_) + " in `" +
                                          sqlite3_sql(stmt_) + "`");
}

Result<bool> Statement::step() {
  RX_RETURN_IF_ERROR(bindStatus());
  // A write outside a transaction commits at once: the store's files are checked first (inside a
  // transaction, BEGIN checked them).
  if (!sqlite3_stmt_readonly(stmt_) && sqlite3_get_autocommit(conn_->raw()) &&
      !sqlite3_stmt_busy(stmt_))
    RX_RETURN_IF_ERROR(conn_->checkFilesIntact());
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->lastError(sqlite3_stmt_readonly(stmt_) ? "reading" : "writing to");
}

Status Statement::run() {
  for (;;) {
    Result<bool> r = step();
    if (!r) return r.status();
    if (!*r) return Status::ok();
  }
}

std::int64_t Statement::columnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::columnDouble(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::columnText(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}
std::optional<std::string> Statement::columnOptionalText(int col) const {
  if (columnIsNull(col)) return std::nullopt;
  return columnText(col);
}
Bytes Statement::columnBlob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? Bytes(p, p + n) : Bytes{};
}
bool Statement::columnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path,
                                                     const SecretBytes& key, OpenMode mode) {
  if (key.size() != 32) return Status(ErrorCode::kInternal, "database key must be 32 bytes");
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::kCreate) {
    flags |= SQLITE_OPEN_CREATE;
    // Owner-only from the first byte; SQLite gives its -wal and -shm files the same mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      return Status(ErrorCode::kIo, "cannot create " + path + ": " + std::strerror(errno));
    ::close(fd);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status(mode == OpenMode::kExisting && (rc & 0xff) == SQLITE_CANTOPEN
                      ? ErrorCode::kNotFound
                      : errorCodeForSqlite(rc),
                  "cannot open " + path + ": " + msg);
  }
  std::unique_ptr<Connection> conn(new Connection(db, path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);

  // The version check comes first: a plain SQLite (or SQLCipher 3) must never touch the store.
  {
    RX_ASSIGN_OR_RETURN(Statement st, conn->prepare("PRAGMA cipher_version"));
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    std::string version = row ? st.columnText(0) : std::string();
    if (version.empty())
      return Status(ErrorCode::kUnsupported,
                    "the SQLite library in use is not SQLCipher (PRAGMA cipher_version gave no "
                    "answer); refusing to open " +
                        path);
    if (std::atoi(version.c_str()) < 4)
      return Status(
          ErrorCode::kUnsupported,
          "SQLCipher " + version + " is too old; rxdesk needs 4.x (Debian bookworm-backports)");
    conn->cipherVersion_ = version;
  }

  // Raw key: "x'<64 hex>'" tells SQLCipher to skip its own PBKDF2 (the key is already random).
  SecretBytes keySpec(3 + 64);
  keySpec[0] = 'x';
  keySpec[1] = '\'';
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 32; ++i) {
    keySpec[2 + 2 * i] = kDigits[key[i] >> 4];
    keySpec[3 + 2 * i] = kDigits[key[i] & 0x0f];
  }
  keySpec[66] = '\'';
  rc = sqlite3_key_v2(db, "main", keySpec.data(), static_cast<int>(keySpec.size()));
  if (rc != SQLITE_OK) return conn->lastError("setting the store key");

  // The first read decides whether the key is right; nothing is written before it.
  rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if ((rc & 0xff) == SQLITE_NOTADB)
    return Status(ErrorCode::kAuthFailed,
                  path + " cannot be decrypted with this key (wrong key, or not an rxdesk store)");
  if (rc != SQLITE_OK) return conn->lastError("reading");

  RX_RETURN_IF_ERROR(
      conn->exec("PRAGMA foreign_keys = ON;"
                 "PRAGMA journal_mode = WAL;"
                 "PRAGMA synchronous = FULL;"
                 "PRAGMA temp_store = MEMORY;"
                 "PRAGMA secure_delete = ON;"
                 "PRAGMA journal_size_limit = 4194304;"));
  // The last connection to close folds the log into the file but never deletes -wal and -shm: a
  // process that wrongly believes it is the last (another one lost its locks) must not delete the
  // log the other is still writing to (with a size limit set, it is emptied instead). Replacing the
  // file (re-key, restore) removes them itself, with the store taken alone.
  int persist = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  // A read transaction opens the log, so that its identity can be recorded.
  RX_RETURN_IF_ERROR(conn->exec("SELECT count(*) FROM sqlite_master"));
  RX_RETURN_IF_ERROR(conn->checkFilesIntact());
  return conn;
}

Result<Statement> Connection::prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) return Statement(this, it->second);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    const int code = sqlite3_extended_errcode(db_);
    if ((code & 0xff) == SQLITE_ERROR)  // a mistake in rxdesk's SQL, not a problem of the store
      return Status(ErrorCode::kInternal,
                    "preparing `" + key + "` on " + path_ + ": " + sqlite3_errmsg(db_));
    return lastError("reading");
  }
  cache_.emplace(std::move(key), stmt);
  return Statement(this, stmt);
}

Status Connection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return describeFailure(db_, rc, "working on", path_, msg);
  }
  return Status::ok();
}

Status Connection::backupTo(const std::string& destPath, const SecretBytes& key,
                            const std::function<bool()>& stopRequested) {
  RX_ASSIGN_OR_RETURN(auto dest, Connection::open(destPath, key, OpenMode::kCreate));
  // The destination must not be in WAL mode while pages are copied into it.
  RX_RETURN_IF_ERROR(dest->exec("PRAGMA journal_mode = DELETE"));
  // Every step reads inside one read transaction: in WAL mode that snapshot does not block
  // writers, and without it a write by another process between two steps would restart the copy
  // (forever, on a busy counter). A read transaction already open on this connection is that
  // snapshot; one that writes would keep the copy waiting on itself.
  const int state = sqlite3_txn_state(db_, "main");
  if (state == SQLITE_TXN_WRITE)
    return Status(ErrorCode::kInternal, "a backup cannot be taken inside a write transaction");
  const bool ownRead = sqlite3_get_autocommit(db_) != 0;
  if (ownRead) RX_RETURN_IF_ERROR(exec("BEGIN"));
  if (state == SQLITE_TXN_NONE) {
    // BEGIN takes no snapshot until the first read.
    if (Status read = exec("SELECT count(*) FROM sqlite_schema"); !read) {
      if (ownRead) (void)exec("ROLLBACK");
      return read;
    }
  }
  sqlite3_backup* backup = sqlite3_backup_init(dest->db_, "main", db_, "main");
  if (!backup) {
    if (ownRead) (void)exec("ROLLBACK");
    return dest->lastError("starting the backup");
  }
  constexpr int kPagesPerStep = 1024;  // 4 MiB of 4 KiB pages between two looks at a stop
  int rc;
  bool stopped = false;
  do {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    // A failure is reported as such, even with a stop pending.
    stopped = (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && stopRequested &&
              stopRequested();
  } while (!stopped && (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED));
  sqlite3_backup_finish(backup);
  if (ownRead) (void)exec("ROLLBACK");  // only read; ends the snapshot
  if (stopped) return Status(ErrorCode::kCancelled, "the backup was cancelled");
  if (rc != SQLITE_DONE) {
    // A damaged page is the store's; any other failure (full, read-only, I/O) is the copy's.
    const bool destination = (rc & 0xff) != SQLITE_CORRUPT && (rc & 0xff) != SQLITE_NOTADB;
    return describeFailure(destination ? dest->db_ : db_, rc,
                           destination ? "writing the backup" : "reading the store for a backup",
                           destination ? destPath : path_, sqlite3_errstr(rc));
  }
  return Status::ok();
}

Result<std::string> Connection::integrityCheck() {
  RX_ASSIGN_OR_RETURN(Statement st, prepare("PRAGMA integrity_check"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.columnText(0) : std::string("no answer");
}

Result<std::vector<std::string>> Connection::pageAuthenticationFailures() {
  RX_ASSIGN_OR_RETURN(Statement st, prepare("PRAGMA cipher_integrity_check"));
  return st.collect([](const Statement& row) { return row.columnText(0); });
}

bool Connection::readOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

Status Connection::checkFilesIntact() {
  if (!filesBroken_) return filesBroken_;
  auto identify = [](const std::string& file, FileId* id) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return false;
    *id = {static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino),
           true};
    return true;
  };
  auto same = [](const FileId& a, const FileId& b) { return a.dev == b.dev && a.ino == b.ino; };
  const std::string wal = path_ + "-wal";
  FileId now;
  std::string problem;
  if (!identify(path_, &now))
    problem = path_ + " was deleted";
  else if (!dbFile_.known)
    dbFile_ = now;
  else if (!same(now, dbFile_))
    problem = path_ + " was replaced by another file";
  if (problem.empty()) {
    if (!identify(wal, &now)) {
      if (walFile_.known) problem = "its journal " + wal + " was deleted";
    } else if (!walFile_.known) {
      walFile_ = now;
    } else if (!same(now, walFile_)) {
      problem = "its journal " + wal + " was replaced by another file";
    }
  }
  if (problem.empty()) return Status::ok();
  filesBroken_ = Status(
      ErrorCode::kIo,
      "rxdesk stopped writing to " + path_ + ": " + problem +
          " by another program while rxdesk had the store open, so anything written now could "
          "be lost. Nothing more was saved. Close rxdesk (every window and command using this "
          "store), then open it again and run `rxdesk-cli check`; keep the store in its own "
          "folder, which no other program uses");
  return filesBroken_;
}

std::int64_t Connection::lastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

Status Connection::lastError(std::string_view what) const {
  return describeFailure(db_, sqlite3_extended_errcode(db_), what, path_, sqlite3_errmsg(db_));
}

Transaction::Transaction(Connection& conn) : conn_(conn) {
  // Inside an open transaction, nest with a savepoint so services can wrap repository calls.
  if (sqlite3_get_autocommit(conn_.raw())) {
    begin_ = conn_.checkFilesIntact();
    if (begin_) begin_ = conn_.exec("BEGIN IMMEDIATE");
  } else {
    savepoint_ = "rx_sp_" + std::to_string(++conn_.savepointCounter_);
    begin_ = conn_.exec("SAVEPOINT " + savepoint_);
  }
  done_ = !begin_.isOk();
}

Transaction::~Transaction() {
  if (done_) return;
  if (savepoint_.empty())
    (void)conn_.exec("ROLLBACK");
  else
    (void)conn_.exec("ROLLBACK TO " + savepoint_ + "; RELEASE " + savepoint_);
}

Status Transaction::commit() {
  if (!begin_.isOk()) return begin_;
  if (done_) return Status(ErrorCode::kInternal, "transaction already finished");
  Status s = conn_.exec(savepoint_.empty() ? "COMMIT" : "RELEASE " + savepoint_);
  if (s.isOk()) done_ = true;
  return s;
}

}  // namespace rx::data
