// A progress line on stderr for a long command (verify, recover, produce of
// a large input), only when stderr is a terminal and the command has run
// for a second: redrawn in place at most five times a second, erased when
// done, so neither a pipe nor a log file ever sees it.
#pragma once

#include <cstdint>
#include <string>

namespace topicfs::cli {

class ProgressLine {
 public:
  // "verify", "recover": what the line says first.
  explicit ProgressLine(std::string what);
  ~ProgressLine();  // erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `done` of `total` `unit`s ("bytes" are shown as 1.2G; anything else as
  // a count); `total` < 0 when unknown.
  void Update(int64_t done, int64_t total, const char* unit);
  // Erases the line before something else is printed to the terminal; the
  // next Update draws it again.
  void Clear();
  // False when stderr is not a terminal: nothing is ever drawn.
  bool enabled() const { return enabled_; }

 private:
  const std::string what_;
  const bool enabled_;
  const int64_t start_ms_;
  int64_t last_draw_ms_ = 0;
  bool drawn_ = false;
};

}  // namespace topicfs::cli
