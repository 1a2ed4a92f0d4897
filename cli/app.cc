#include "cli/app.h"

#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/cli_error.h"

namespace topicfs::cli {
namespace {

bool IsSubcommand(CLI::App& app, const std::string& name) {
  auto found = app.get_subcommands([&](CLI::App* sub) { return sub->check_name(name); });
  return !found.empty();
}

// mount.fuse3 (and so /etc/fstab and systemd) runs `topicfs DATA MNT -o OPTS`.
std::vector<std::string> Arguments(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && !args[0].empty() && args[0][0] != '-' && !IsSubcommand(app, args[0]) &&
      IsSubcommand(app, "mount")) {
    args.insert(args.begin(), "mount");
  }
  if (!args.empty() && !args[0].empty() && args[0][0] != '-' && !IsSubcommand(app, args[0])) {
    throw CommandError(kExitUsage, "unknown command '" + args[0] + "' (see topicfs --help)");
  }
  return args;
}

// One line, whatever the message holds.
void PrintError(const std::string& message) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::cerr << "topicfs: " << line << std::endl;
}

}  // namespace

void SetExamples(CLI::App* cmd, std::initializer_list<const char*> lines) {
  std::string text = "\nExamples:\n";
  for (const char* line : lines) text += std::string("  ") + line + "\n";
  cmd->footer(text);
}

int ParseAndRun(CLI::App& app, int argc, char** argv) {
  try {
    std::vector<std::string> args = Arguments(app, argc, argv);
    if (args.empty()) {  // bare `topicfs`: the commands, in the one line a usage error gets
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      PrintError("a command is required: " + names + " (topicfs --help, topicfs COMMAND --help)");
      return kExitUsage;
    }
    // CLI11's parse(vector) takes the arguments in reverse order.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
    return kExitOk;
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // a command that ended with a status
    std::string what = e.what();
    if (e.get_exit_code() != 0 && !what.empty() && what != "Runtime error") PrintError(what);
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    PrintError(e.what());
    return kExitUsage;
  } catch (const CommandError& e) {
    PrintError(e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
    return kExitFailure;
  } catch (const std::exception& e) {
    PrintError(e.what());
    return kExitFailure;
  }
}

}  // namespace topicfs::cli
