// Permissions with --allow-other (issue 4): a second local user, created by
// the test, may read a topic it may read, and may not append to, set
// attributes on, remove from or add partitions to one it may not write;
// chmod and chown take effect and survive a remount; only a topic's owner
// (or root) may delete it with its data (issue 9 §2). Around the mount
// (issue 16): nothing under DATA is reachable by that user, and a DATA it
// could write is never served (DESIGN §3).
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class PermissionsTest : public MountTest {
 protected:
  void SetUp() override {
    user_ = "tfs" + std::to_string(::getpid() % 100000);
    ASSERT_EQ(RetryWhileLocked("useradd --no-create-home --shell /usr/sbin/nologin " + user_), 0)
        << "cannot create a test user";
    user_created_ = true;
    MountTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(Unmount());
    ASSERT_EQ(::chmod(Dir().c_str(), 0755), 0);  // mkdtemp made it 0700
    Mount({"--allow-other"});
  }
  void TearDown() override {
    MountTest::TearDown();
    if (user_created_) (void)RetryWhileLocked("userdel " + user_);
  }
  // useradd and userdel fail while another one holds /etc/passwd's lock (a
  // test running beside this one): they are tried again for up to 10 s.
  static int RetryWhileLocked(const std::string& command) {
    int status = -1;
    for (int i = 0; i < 100; ++i) {
      status = std::system((command + " 2>/dev/null").c_str());
      if (status == 0) break;
      ::usleep(100'000);
    }
    return status;
  }
  // Runs `command` as the test user; returns its exit status and stderr.
  ShellResult AsUser(const std::string& command) {
    return Sh("setpriv --reuid=" + user_ + " --regid=" + user_ + " --init-groups sh -c '" +
              command + "'");
  }
  std::string user_;
  bool user_created_ = false;
};

TEST_F(PermissionsTest, OtherUserReadsButCannotChangeATopicItMayNotWrite) {
  MakeTopic("pub", {{"segment.bytes", "64"}});
  Out("seq 1 40 >> $M/pub/0/current");
  const std::string before = Out("cat $D/topics/pub/0/*.log | md5sum");
  const std::string oldest = List(M("pub/0")).front();  // the oldest sealed .index/.log sort first
  ASSERT_NE(oldest.find("00000000000000000000"), std::string::npos);

  EXPECT_EQ(AsUser("cat $M/pub/0/from/0").out, Out("seq 1 40"));
  ShellResult r = AsUser("echo x >> $M/pub/0/current");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  r = AsUser("setfattr -n user.note -v hi $M/pub");
  EXPECT_NE(r.status, 0) << "setfattr on a topic it may not write";
  r = AsUser("setfattr -n user.topicfs.retention.ms -v 1 $M/pub");
  EXPECT_NE(r.status, 0) << "config change on a topic it may not write";
  r = AsUser("rm -f $M/pub/0/00000000000000000000.log");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  r = AsUser("mkdir $M/pub/1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  r = AsUser("mkdir $M/theirs");
  EXPECT_NE(r.status, 0) << "a new topic in a store root it may not write";

  // Nothing changed.
  EXPECT_EQ(Out("cat $D/topics/pub/0/*.log | md5sum"), before);
  EXPECT_EQ(Xattr(M("pub"), "user.topicfs.retention.ms"), "604800000");
  EXPECT_EQ(GetXattrErrno(M("pub"), "user.note"), ENODATA);
  EXPECT_FALSE(Sh("test -e $M/pub/1").status == 0);
}

// DESIGN §3: owners and modes are also kept on the topics' directories, so
// a store whose meta/ is lost comes back with the permissions it had, and
// what cannot be restored grants nothing beyond the owner (issue 16 §2).
TEST_F(PermissionsTest, LosingMetaKeepsEveryOwnerAndMode) {
  MakeTopic("secret");
  MakeTopic("shared");
  MakeTopic("theirs");
  MakeTopic("unknown");
  Out("echo s >> $M/secret/0/current; echo p >> $M/shared/0/current;"
      "echo t >> $M/theirs/0/current; echo u >> $M/unknown/0/current");
  Out("chmod 0700 $M/secret; chmod 0750 $M/shared; chmod 0640 $M/shared/0;"
      "chown " + user_ + ":" + user_ + " $M/theirs; chmod 0700 $M/theirs");
  const std::string before = Out("stat -c '%n %U %G %a' $M/secret $M/shared $M/shared/0 $M/theirs");
  ASSERT_NE(AsUser("cat $M/shared/0/from/0").status, 0) << "0640 on the partition: not for others";
  ASSERT_EQ(AsUser("cat $M/theirs/0/from/0").out, "t\n");
  ASSERT_TRUE(Unmount());
  // One directory from before owners were kept there: nothing to restore.
  Out("setfattr -x user.topicfs.owner $D/topics/unknown");
  Out("rm -rf $D/meta");
  Mount({"--allow-other"});
  EXPECT_EQ(Out("stat -c '%n %U %G %a' $M/secret $M/shared $M/shared/0 $M/theirs"), before);
  EXPECT_EQ(Out("stat -c '%U %a' $M/unknown"), "root 700\n");
  EXPECT_NE(AsUser("cat $M/secret/0/from/0").status, 0);
  EXPECT_NE(AsUser("cat $M/shared/0/from/0").status, 0);
  EXPECT_NE(AsUser("cat $M/unknown/0/from/0").status, 0);
  EXPECT_EQ(AsUser("cat $M/theirs/0/from/0").out, "t\n");
  // The directories themselves stay the daemon's, 0700 (DATA's checks).
  EXPECT_EQ(Out("stat -c '%U %a' $D/topics/theirs $D/topics/shared/0"), "root 700\nroot 700\n");
}

TEST_F(PermissionsTest, ChownAndChmodTakeEffectAndSurviveARemount) {
  MakeTopic("mine");
  Out("echo first >> $M/mine/0/current");
  ASSERT_EQ(AsUser("mkdir $M/mine/1").status == 0, false);
  Out("chown " + user_ + ":" + user_ + " $M/mine $M/mine/0");
  Out("chmod 0750 $M/mine");
  EXPECT_EQ(AsUser("mkdir $M/mine/1").status, 0) << "the owner may add a partition";
  EXPECT_EQ(AsUser("echo second >> $M/mine/0/current").status, 0) << "the owner may append";
  ASSERT_TRUE(Unmount());
  Mount({"--allow-other"});
  EXPECT_EQ(Out("stat -c '%U %a' $M/mine"), user_ + " 750\n");
  EXPECT_EQ(Out("stat -c '%U' $M/mine/0/00000000000000000000.log"), user_ + "\n");
  EXPECT_EQ(AsUser("echo third >> $M/mine/0/current").status, 0);
  EXPECT_EQ(ReadFile(M("mine/0/from/0")), "first\nsecond\nthird\n");
  Out("chmod 0700 $M/mine");
  Out("chown root:root $M/mine/0");
  ShellResult r = AsUser("echo fourth >> $M/mine/0/current");
  EXPECT_NE(r.status, 0) << "chown back to root takes the right away";
}

TEST_F(PermissionsTest, OnlyTheOwnerOrRootDeletesATopicOnTheMount) {
  MakeTopic("shared");
  Out("seq 1 5 >> $M/shared/0/current");
  // The kernel would let this user set attributes on a 0777 topic: the
  // daemon itself must refuse, by the caller's uid.
  Out("chmod 0777 $M/shared");
  ShellResult r = AsUser("setfattr -n user.topicfs.delete -v shared $M/shared");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(M("shared/0/from/0")), Out("seq 1 5")) << "refused, and nothing changed";
  EXPECT_TRUE(List(D("topics")).size() == 1);
  // Its owner may.
  Out("chown " + user_ + " $M/shared");
  r = AsUser("setfattr -n user.topicfs.delete -v shared $M/shared");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(::access(M("shared").c_str(), F_OK), -1);
  EXPECT_TRUE(List(D("topics")).empty());
}

TEST_F(PermissionsTest, NothingUnderDataIsReachableByAnotherUser) {
  MakeTopic("secret");
  MakeTopic("pub");
  Out("chmod 700 $M/secret && echo root-secret >> $M/secret/0/current");
  Out("echo public >> $M/pub/0/current");
  EXPECT_EQ(AsUser("cat $M/pub/0/from/0").out, "public\n") << "the mount still grants what it may";
  EXPECT_NE(AsUser("cat $M/secret/0/from/0").status, 0);
  for (const char* command :
       {"ls $D", "ls $D/topics", "ls $D/meta", "cat $D/topics/secret/0/00000000000000000000.log",
        "cat $D/topics/pub/0/00000000000000000000.log", "touch $D/x", "mkdir $D/topics/x"}) {
    ShellResult r = AsUser(command);
    EXPECT_NE(r.status, 0) << command;
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << command << ": " << r.err;
  }
  EXPECT_EQ(Out("stat -c %a $D $D/meta $D/topics"), "700\n700\n700\n");
  EXPECT_EQ(Out("find $D ! -type l -perm /077"), "") << "everything under DATA is private";
}

TEST_F(PermissionsTest, AStoreOthersCouldReadIsTightenedWithOneLogLine) {
  MakeTopic("old");
  Out("echo kept >> $M/old/0/current");
  ASSERT_TRUE(Unmount());
  // As the version before 0700 made it.
  Out("chmod -R go+rX $D");  // dirs 0755, files 0644
  ASSERT_EQ(AsUser("cat $D/topics/old/0/00000000000000000000.log").out, "kept\n");
  Mount({"--allow-other"});
  EXPECT_EQ(Out("stat -c %a $D $D/meta $D/topics"), "700\n700\n700\n");
  EXPECT_EQ(Out("grep -c 'other users could read' daemon.log"), "1\n") << DaemonLog();
  EXPECT_NE(AsUser("cat $D/topics/old/0/00000000000000000000.log").status, 0);
  EXPECT_EQ(ReadFile(M("old/0/from/0")), "kept\n");
}

TEST_F(PermissionsTest, ADataOthersCouldWriteIsNeverServed) {
  MakeTopic("mine");
  ASSERT_TRUE(Unmount());
  Out("chmod 777 $D $D/meta $D/topics");
  ASSERT_EQ(AsUser("mkdir -p $D/topics/planted/0 && printf \"forged-1\\nforged-2\\n\" > "
                   "$D/topics/planted/0/00000000000000000000.log")
                .status,
            0);
  ShellResult r = Sh("$T mount --allow-other $D $M");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "topicfs: " + D() + " is writable by other users (mode 0777): refusing a " +
                       "store others could have planted topics in (check " + D("topics") +
                       ", then: chmod -R go-rwx " + D() + ")\n");
  EXPECT_FALSE(Mounted());
  for (const char* command : {"$T topic list --data $D", "$T recover $D", "$T verify $D",
                              "echo x | $T produce --data $D mine"}) {
    r = Sh(command);
    EXPECT_EQ(r.status, 1) << command;
    EXPECT_NE(r.err.find("is writable by other users"), std::string::npos) << command << r.err;
  }
  EXPECT_EQ(Out("stat -c %a $D"), "777\n") << "a refused store is left as it was";

  // Closing DATA again is not enough: what was planted meanwhile stays out.
  Out("chmod 700 $D $D/meta $D/topics");
  r = Sh("$T mount --allow-other $D $M");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(D("topics/planted") + " is owned by " + user_), std::string::npos) << r.err;
  EXPECT_FALSE(Mounted());
  Out("rm -rf $D/topics/planted");
  Mount({"--allow-other"});
  EXPECT_EQ(List(M()), std::vector<std::string>{"mine"});
}

}  // namespace
}  // namespace topicfs::e2e
