// The top of the `topicfs` binary: argument rewriting for the form that
// mount.fuse3 runs, parsing, and the single place where every error becomes
// one stderr line and an exit status (0 success, 1 failure, 2 usage).
#pragma once

#include <CLI/CLI.hpp>
#include <initializer_list>

namespace topicfs::cli {

// Parses `argv` with `app` (whose subcommands run as callbacks) and returns
// the exit status. `topicfs DATA MOUNTPOINT -o ...` is read as
// `topicfs mount DATA MOUNTPOINT -o ...` when `app` has a mount command.
int ParseAndRun(CLI::App& app, int argc, char** argv);

// Ends `cmd`'s --help with these example command lines.
void SetExamples(CLI::App* cmd, std::initializer_list<const char*> lines);

}  // namespace topicfs::cli
