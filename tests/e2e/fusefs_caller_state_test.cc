// fusefs/caller_state.h: telling, from /proc, a reader that was signalled
// while its request was parked from one that just waits.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "fusefs/caller_state.h"

namespace topicfs::fusefs {
namespace {

std::string Status(const std::string& state, const std::string& pending, const std::string& shared,
                   const std::string& blocked) {
  return "Name:\tcat\nState:\t" + state + "\nTgid:\t42\nSigQ:\t1/96369\nSigPnd:\t" + pending +
         "\nShdPnd:\t" + shared + "\nSigBlk:\t" + blocked + "\nSigIgn:\t0000000000000000\n";
}

constexpr char kNone[] = "0000000000000000";
constexpr char kSigterm[] = "0000000000004000";
constexpr char kSigkill[] = "0000000000000100";

TEST(CallerStateTest, AnUninterruptibleSleeperWithASignalPendingWasSignalled) {
  EXPECT_TRUE(
      StatusShowsSignalledWhileBlocked(Status("D (disk sleep)", kSigkill, kSigterm, kNone)));
  EXPECT_TRUE(StatusShowsSignalledWhileBlocked(Status("D (disk sleep)", kNone, kSigterm, kNone)));
}

TEST(CallerStateTest, AWaitingReaderOrABlockedSignalIsNot) {
  // Waiting interruptibly: the kernel sends INTERRUPT itself.
  EXPECT_FALSE(StatusShowsSignalledWhileBlocked(Status("S (sleeping)", kNone, kSigterm, kNone)));
  // Nothing pending.
  EXPECT_FALSE(StatusShowsSignalledWhileBlocked(Status("D (disk sleep)", kNone, kNone, kNone)));
  // Pending but blocked: it interrupts nothing.
  EXPECT_FALSE(
      StatusShowsSignalledWhileBlocked(Status("D (disk sleep)", kNone, kSigterm, kSigterm)));
}

TEST(CallerStateTest, MalformedOrMissingFieldsAreNotASignal) {
  EXPECT_FALSE(StatusShowsSignalledWhileBlocked(""));
  EXPECT_FALSE(StatusShowsSignalledWhileBlocked("State:\tD (disk sleep)\nSigPnd:\t4000\n"));
  EXPECT_FALSE(StatusShowsSignalledWhileBlocked(Status("D (disk sleep)", "zz", kSigterm, kNone)));
}

TEST(CallerStateTest, RealThreads) {
  // This thread runs; a pid that cannot exist has no status.
  EXPECT_FALSE(CallerSignalledWhileBlocked(::gettid()));
  EXPECT_FALSE(CallerSignalledWhileBlocked(0x7ffffff0));
  // A child stopped by SIGSTOP with SIGTERM pending is not in 'D'.
  pid_t child = ::fork();
  if (child == 0) {
    for (;;) ::pause();
  }
  ASSERT_GT(child, 0);
  ::kill(child, SIGSTOP);
  ::kill(child, SIGTERM);
  EXPECT_FALSE(CallerSignalledWhileBlocked(child));
  ::kill(child, SIGKILL);
  ::kill(child, SIGCONT);
  int status;
  ::waitpid(child, &status, 0);
}

}  // namespace
}  // namespace topicfs::fusefs
