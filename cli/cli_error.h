// How a command ends: the exit statuses of DESIGN §5 and the one exception
// that carries a one-line error from deep inside a command to ParseAndRun,
// which prints it. Store errors become values of this type in one place.
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "store/status.h"

namespace topicfs::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class CommandError : public std::exception {
 public:
  CommandError(int exit_code, std::string message)
      : exit_code_(exit_code), message_(std::move(message)) {}
  int exit_code() const { return exit_code_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int exit_code_;
  std::string message_;
};

// Ends the command with exit status 1 and `message` as its stderr line.
[[noreturn]] void Fail(std::string message);
// Ends the command with exit status 2 (the arguments were wrong).
[[noreturn]] void UsageFail(std::string message);

// A store error ends the command with its one line and exit status 1.
void Check(const store::Status& status);
template <typename T>
T Check(store::Result<T> result) {
  if (!result.ok()) Check(result.status());
  return std::move(result).value();
}

}  // namespace topicfs::cli
