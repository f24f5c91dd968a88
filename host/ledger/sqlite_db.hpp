// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace pipehost::ledger {

/// Any SQLite failure; the message names the database file and SQLite's reason.
class LedgerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement;

/// How a database file is opened: read-write (created when missing), or read-only (never created or
/// changed; WAL lets it read beside a live writer).
enum class OpenMode { read_write, read_only };

class Database {
 public:
  /// Opens (creating) the database `file`; an empty path opens a private temporary database that
  /// SQLite deletes when it is closed.
  explicit Database(const std::filesystem::path& file, OpenMode mode = OpenMode::read_write);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  /// A statement prepared once per connection and reused (reset, bindings cleared). For statements
  /// run per row: preparing costs far more than running them.
  Statement& cached(const std::string& sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::filesystem::path& file() const { return file_; }
  /// Replaces this database's content with a consistent snapshot of the database `file` (opened
  /// read-only; a writer may be using it).
  void copy_from(const std::filesystem::path& file);
  [[noreturn]] void fail(std::string_view what) const;
  sqlite3* handle() const { return db_; }

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  /// Steps once; true when a row is available.
  bool step();
  /// Steps to completion (for statements without results) and resets.
  void run();
  void reset();

  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  /// The column's text without a copy; valid until the next step, reset or column call.
  std::string_view column_view(int index) const;
  bool column_is_null(int index) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed. A durable transaction is synced to
/// disk before commit returns (synchronous=FULL); others only survive a process crash (NORMAL).
class Transaction {
 public:
  Transaction(Database& db, bool durable);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace pipehost::ledger
