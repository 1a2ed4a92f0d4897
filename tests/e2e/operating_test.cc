// What an operator relies on (docs/OPERATING.md): an /etc/fstab line mounted
// by mount(8), the systemd unit (systemd-analyze verify; its ExecStart run
// as systemd runs it, ready by sd_notify, stopped cleanly by SIGTERM),
// `cmake --install` putting the binary, man page, completion and unit in
// place, and the bash completion answering from the binary's own help.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class OperatingTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(Unmount());  // each test mounts the way it shows
  }
  void TearDown() override {
    daemon_.Stop();
    MountTest::TearDown();
  }
  bool CleanMarker() { return ::access(D("clean-shutdown").c_str(), F_OK) == 0; }
  // The unit as built (packaging/), its ExecStart pointed at this build's binary.
  std::string UnitFor(const std::string& instance) {
    const std::string unit = Dir("topicfs@" + instance + ".service");
    Out("sed 's|^ExecStart=[^ ]*|ExecStart='$T'|' " TOPICFS_UNIT_FILE " > '" + unit + "'");
    return unit;
  }
  BackgroundProcess daemon_;
};

TEST_F(OperatingTest, AnFstabLineMountsWithMountAndUmountClosesCleanly) {
  // mount(8) runs mount.fuse3 for fuse.*, which runs `topicfs` from the
  // standard PATH mount gives its helpers: in a mount namespace of its own,
  // this build's binary is put in /usr/local/sbin, as a package would put
  // it in /usr/bin. The mount lives and ends in that namespace.
  Out("mkdir -p bin && ln -sf $T bin/topicfs");
  Out("echo \"$D $M fuse.topicfs defaults,nofail,_netdev,retention.check.interval.ms=60000 0 0\""
      " > fstab");
  const ShellResult r =
      Sh("unshare -m --propagation private sh -ec '"
         "trap \"umount -l $M 2>/dev/null || true\" EXIT; "
         "mount --bind $PWD/bin /usr/local/sbin; "
         "mount -T fstab $M; "
         "grep \" $M \" /proc/mounts | cut -d\" \" -f3; "
         "mkdir $M/app; seq 3 >> $M/app/0/current; cat $M/app/0/from/1; "
         "umount $M'",
         60);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fuse.topicfs\n2\n3\n");
  EXPECT_TRUE(WaitFor([&] { return CleanMarker(); })) << "the daemon did not close the store";
  // The store is the same when mounted again the usual way.
  Mount();
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "1\n2\n3\n");
}

TEST_F(OperatingTest, TheSystemdUnitVerifies) {
  const std::string unit = UnitFor("srv-logs");
  // verify also opens the Documentation= man page: this build's.
  Out("mkdir -p man/man1 && ln -sf " TOPICFS_BUILD_DIR "/packaging/topicfs.1.gz man/man1/");
  const ShellResult r = Sh("MANPATH=$PWD/man systemd-analyze verify '" + unit + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "") << "systemd has remarks on the unit";
  const std::string text = ReadFile(unit);
  EXPECT_NE(text.find("Type=notify"), std::string::npos);
  EXPECT_NE(text.find("Restart=on-failure"), std::string::npos);
}

TEST_F(OperatingTest, TheUnitsCommandIsReadyBySdNotifyAndStopsCleanlyOnSigterm) {
  // ExecStart as systemd runs it for instance %i, %f its mount point, with
  // the EnvironmentFile's DATA and OPTIONS.
  const std::string unit = ReadFile(UnitFor("x"));
  const size_t at = unit.find("\nExecStart=");
  ASSERT_NE(at, std::string::npos);
  std::string command = unit.substr(at + 11, unit.find('\n', at + 1) - at - 11);
  const auto replace = [&](const std::string& from, const std::string& to) {
    const size_t p = command.find(from);
    ASSERT_NE(p, std::string::npos) << from << " in " << command;
    command.replace(p, from.size(), to);
  };
  replace("${DATA}", D());
  replace("%f", M());
  replace("$OPTIONS", "-o retention.check.interval.ms=60000");
  // systemd's notify socket, played by Python.
  const std::string socket = Dir("notify.sock");
  BackgroundProcess listener;
  ASSERT_TRUE(listener.Start({"/usr/bin/python3", "-c",
                              "import socket,sys\n"
                              "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
                              "s.bind(sys.argv[1]); s.settimeout(30)\n"
                              "print(s.recv(4096).decode(), flush=True)\n",
                              socket},
                             Dir(), Dir("notify.out"), Dir("notify.err")));
  ASSERT_TRUE(WaitFor([&] { return ::access(socket.c_str(), F_OK) == 0; }));
  ASSERT_TRUE(daemon_.Start({"/bin/sh", "-c", "NOTIFY_SOCKET=" + socket + " exec " + command},
                            Dir(), Dir("daemon.out"), Dir("daemon.err")));
  std::optional<int> told = listener.Wait(30);
  ASSERT_TRUE(told.has_value()) << "no notification; daemon: " << ReadFile(Dir("daemon.err"));
  const std::string message = ReadFile(Dir("notify.out"));
  EXPECT_NE(message.find("READY=1"), std::string::npos) << message;
  EXPECT_TRUE(Mounted()) << "READY=1 came before the mount answered";
  MakeTopic("app");
  Out("seq 5 >> $M/app/0/current");
  // systemctl stop: SIGTERM to the main process.
  ASSERT_TRUE(daemon_.Signal(SIGTERM));
  std::optional<int> status = daemon_.Wait(30);
  ASSERT_TRUE(status.has_value()) << "the daemon did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  EXPECT_FALSE(Mounted());
  EXPECT_TRUE(CleanMarker());
  Mount();
  EXPECT_EQ(ReadFile(M("app/0/from/3")), "4\n5\n");
}

TEST_F(OperatingTest, InstallPutsTheBinaryManPageCompletionAndUnitInPlace) {
  const ShellResult r = Sh("cmake --install " TOPICFS_BUILD_DIR " --prefix $PWD/prefix");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Out("prefix/bin/topicfs --version"), Out("$T --version"));
  // The man page is the CLI's own help, every subcommand included.
  const std::string man = Out("zcat prefix/share/man/man1/topicfs.1.gz");
  for (const char* part : {"topicfs mount", "topicfs topic create", "topicfs tier status",
                           "metrics=HOST:PORT", "fuse.topicfs"}) {
    EXPECT_NE(man.find(part), std::string::npos) << part;
  }
  EXPECT_EQ(Sh("test -s prefix/share/bash-completion/completions/topicfs").status, 0);
  const std::string unit = ReadFile(Dir("prefix/lib/systemd/system/topicfs@.service"));
  EXPECT_NE(unit.find("ExecStart=" + Dir("prefix/bin/topicfs") + " mount --foreground"),
            std::string::npos)
      << unit;
  for (const char* doc : {"OPERATING.md", "SEMANTICS.md", "copyright", "changelog.gz",
                          "examples/fstab.example", "examples/topicfs.conf.example"}) {
    EXPECT_EQ(Sh(std::string("test -s prefix/share/doc/topicfs/") + doc).status, 0) << doc;
  }
}

TEST_F(OperatingTest, TheDebDependsOnRuntimeLibrariesOnlyAndLintianHasNothingToSay) {
  // scripts/package.sh's CPack step, over this build.
  const ShellResult made = Sh("cd " TOPICFS_BUILD_DIR " && cpack -G DEB -B " + Dir("pkg"), 120);
  ASSERT_EQ(made.status, 0) << made.out << made.err;
  const std::string deb = Out("ls pkg/topicfs_*.deb");
  ASSERT_FALSE(deb.empty());
  const std::string depends = Out("dpkg-deb --field pkg/topicfs_*.deb Depends");
  EXPECT_EQ(depends.find("-dev"), std::string::npos) << depends;
  for (const char* runtime : {"fuse3", "libfuse3-3", "librocksdb", "libprometheus-cpp-pull"}) {
    EXPECT_NE(depends.find(runtime), std::string::npos) << runtime << " in " << depends;
  }
  const ShellResult lint = Sh("lintian --tag-display-limit 0 pkg/topicfs_*.deb", 120);
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
  EXPECT_EQ(lint.out, "") << "lintian's remarks";
  Out("dpkg-deb -x pkg/topicfs_*.deb root");
  EXPECT_EQ(Out("root/usr/bin/topicfs --version"), Out("$T --version"));
  EXPECT_NE(Out("cat root/usr/lib/systemd/system/topicfs@.service")
                .find("ExecStart=/usr/bin/topicfs mount"),
            std::string::npos);
}

TEST_F(OperatingTest, BashCompletionAnswersFromTheBinarysHelp) {
  // Completes `line` (the cursor at its end) as bash would; the candidates.
  const auto complete = [&](const std::string& line) {
    return Out(
        "bash -c 'source /usr/share/bash-completion/bash_completion; "
        "source " TOPICFS_SOURCE_DIR
        "/packaging/topicfs.bash-completion; "
        "PATH=$(dirname $T):$PATH; COMP_LINE=\"" +
        line +
        "\"; "
        "COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< \"$COMP_LINE\"; "
        "[[ $COMP_LINE == *\" \" ]] && COMP_WORDS+=(\"\"); "
        "COMP_CWORD=$((${#COMP_WORDS[@]}-1)); "
        "_topicfs topicfs \"${COMP_WORDS[-1]}\" \"${COMP_WORDS[-2]}\"; "
        "echo \"${COMPREPLY[*]}\"' 2>/dev/null");
  };
  EXPECT_EQ(complete("topicfs to"), "topic\n");
  EXPECT_EQ(complete("topicfs topic "), "create list describe alter delete\n");
  EXPECT_EQ(complete("topicfs topic create --part"), "--partitions\n");
  EXPECT_EQ(complete("topicfs mount -o metr"), "metrics=\n");
  EXPECT_EQ(complete("topicfs tier status --j"), "--json\n");
}

}  // namespace
}  // namespace topicfs::e2e
