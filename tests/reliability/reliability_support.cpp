#include "reliability_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include <sqlite3.h>

namespace pipehost::test {

namespace {

/// The ledger's row state for "done" (host/ledger/run_ledger.hpp, RowState::done).
constexpr int kRowStateDone = 2;

class ReadOnlyDatabase {
 public:
  explicit ReadOnlyDatabase(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + file.string() + ": " + message);
    }
  }
  ~ReadOnlyDatabase() { sqlite3_close(db_); }
  ReadOnlyDatabase(const ReadOnlyDatabase&) = delete;
  ReadOnlyDatabase& operator=(const ReadOnlyDatabase&) = delete;

  /// The first column of every result row of `sql`.
  std::vector<std::string> column(const std::string& sql) const {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    std::vector<std::string> out;
    int rc = 0;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(statement, 0);
      out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

bool soak_mode() {
  const char* soak = std::getenv("PIPEHOST_SOAK");
  return soak && *soak && std::string(soak) != "0";
}

LedgerSnapshot read_ledger(const std::filesystem::path& state_dir) {
  LedgerSnapshot snapshot;
  auto file = state_dir / "ledger.sqlite";
  if (!std::filesystem::exists(file)) return snapshot;
  ReadOnlyDatabase db(file);
  auto id = db.column("SELECT value FROM meta WHERE key = 'run_id'");
  if (!id.empty()) snapshot.run_id = id.front();
  for (auto& key : db.column("SELECT key FROM rows WHERE state = " + std::to_string(kRowStateDone)))
    snapshot.done_keys.insert(std::move(key));
  return snapshot;
}

std::vector<std::filesystem::path> files_under(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> names_starting_with(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    if (name.starts_with(prefix)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pipehost::test
