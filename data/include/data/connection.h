// RAII access to one SQLCipher database: Connection (keyed, checked, cached statements),
// Statement (bound parameters only) and Transaction (rolls back unless committed).
// This is the only place in rxdesk that talks to SQLite.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "crypto/bytes.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rx::data {

using crypto::Bytes;
using crypto::SecretBytes;

class Connection;

// A prepared statement borrowed from its connection's cache. Bindings are cleared and the
// statement reset when the handle goes out of scope, so a cached statement never leaks state.
class Statement {
 public:
  Statement(Statement&& other) noexcept : conn_(other.conn_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are 1-based as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind(int index, const Bytes& blob);
  Statement& bind(int index, const SecretBytes& blob);
  Statement& bindNull(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bindNull(index);
  }

  // Advances; returns true iff a row is available.
  Result<bool> step();
  // Runs to completion, for statements that return no rows.
  Status run();
  // Steps through every row and returns `read(*this)` of each, in order.
  template <typename Read>
  auto collect(Read&& read) -> Result<std::vector<decltype(read(*this))>> {
    std::vector<decltype(read(*this))> out;
    for (;;) {
      RX_ASSIGN_OR_RETURN(bool row, step());
      if (!row) break;
      out.push_back(read(*this));
    }
    return out;
  }

  std::int64_t columnInt(int col) const;
  double columnDouble(int col) const;
  std::string columnText(int col) const;
  std::optional<std::string> columnOptionalText(int col) const;
  Bytes columnBlob(int col) const;
  bool columnIsNull(int col) const;

 private:
  friend class Connection;
  Statement(Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  Status bindStatus() const;
  Connection* conn_;
  sqlite3_stmt* stmt_;
  int bindError_ = 0;
};

enum class OpenMode { kExisting, kCreate };

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens the SQLCipher database at `path` with a raw 256-bit key. Refuses to run when
  // PRAGMA cipher_version does not answer or names a version below 4. With kExisting the file
  // must exist; a wrong key gives kAuthFailed and writes nothing. Turns on WAL, foreign keys,
  // synchronous=FULL and in-memory temporary storage.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, const SecretBytes& key,
                                                  OpenMode mode);

  // Returns the cached prepared statement for `sql` (prepared on first use).
  Result<Statement> prepare(std::string_view sql);
  // Runs one or more statements without parameters (DDL, pragmas, migrations).
  Status exec(std::string_view sql);

  std::int64_t lastInsertRowId() const;
  int changes() const;
  const std::string& path() const { return path_; }
  // Returns SQLCipher's version string as reported by PRAGMA cipher_version.
  const std::string& cipherVersion() const { return cipherVersion_; }

  // Copies a consistent snapshot of this database to a new file at `destPath`, encrypted with
  // `key` (SQLite's online backup API: other connections may keep writing meanwhile). Between
  // steps of a few MiB it asks `stopRequested` and, told to stop, returns kCancelled (the
  // partial `destPath` is the caller's to remove).
  Status backupTo(const std::string& destPath, const SecretBytes& key,
                  const std::function<bool()>& stopRequested = {});
  // Returns "ok" or the first problem PRAGMA integrity_check reports.
  Result<std::string> integrityCheck();
  // Checks every page's authentication code (SQLCipher's cipher_integrity_check): one line per
  // page that fails (altered or torn), none when all pass. Reads the whole file.
  Result<std::vector<std::string>> pageAuthenticationFailures();

  // Maps the current SQLite error to a Status, naming `what` was being done.
  Status lastError(std::string_view what) const;
  sqlite3* raw() const { return db_; }
  // True when SQLite opened the file read-only (no write permission, read-only file system).
  bool readOnly() const;

  // Checks that the database file and its write-ahead log are still the files this connection
  // opened. A -wal deleted or replaced by another program (SQLite's "How To Corrupt" §2.2, §2.4)
  // would swallow every later write: from then on each write is refused with kIo naming the file,
  // before anything is written. Called before every write; cheap (two stat calls).
  Status checkFilesIntact();

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  struct FileId {
    unsigned long long dev = 0, ino = 0;
    bool known = false;
  };
  sqlite3* db_;
  FileId dbFile_, walFile_;
  Status filesBroken_;
  std::string path_;
  std::string cipherVersion_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  friend class Transaction;
  int savepointCounter_ = 0;
};

// BEGIN IMMEDIATE on construction (a SAVEPOINT when a transaction is already open); ROLLBACK on
// destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Returns the error from BEGIN, if any; check before doing work.
  const Status& beginStatus() const { return begin_; }
  Status commit();

 private:
  Connection& conn_;
  Status begin_;
  std::string savepoint_;  // empty for the outermost transaction
  bool done_ = false;
};

// Returns the SQLite error code mapped to rxdesk's codes (for callers that need them).
ErrorCode errorCodeForSqlite(int sqliteCode);

}  // namespace rx::data
