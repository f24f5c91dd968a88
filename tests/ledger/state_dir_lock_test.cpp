// The state dir lock: one process per state dir, released when its holder goes away.
#include "ledger/state_dir_lock.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "test_host.hpp"

namespace {

using namespace pipehost::ledger;

TEST(StateDirLock, RefusesASecondHolderNamingTheFirstAndFreesOnRelease) {
  pipehost::test::TempDir dir;
  auto state = dir.path() / "state";
  {
    StateDirLock first(state);
    try {
      StateDirLock second(state);
      FAIL() << "a second lock on the same state dir must be refused";
    } catch (const StateDirBusy& e) {
      std::string message = e.what();
      EXPECT_NE(message.find(state.string()), std::string::npos) << message;
      EXPECT_NE(message.find("pid " + std::to_string(::getpid())), std::string::npos) << message;
    }
  }
  EXPECT_NO_THROW(StateDirLock again(state)) << "released when the holder is destroyed";
}

TEST(StateDirLock, AKilledHolderLeavesTheStateDirFree) {
  pipehost::test::TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StateDirLock lock(dir.path());
    (void)!::write(ready[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_THROW(StateDirLock busy(dir.path()), StateDirBusy);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_NO_THROW(StateDirLock free(dir.path()));
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
