#include "cli/dump_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/config_args.h"
#include "cli/fs_util.h"
#include "store/index_format.h"
#include "store/names.h"

namespace topicfs::cli {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// Collects output and writes it in large pieces.
class Output {
 public:
  ~Output() { (void)Flush(); }
  void Append(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kChunkBytes) Check(Flush());
  }
  store::Status Flush() {
    store::Status s = WriteAll(STDOUT_FILENO, buf_.data(), buf_.size(), "write stdout");
    buf_.clear();
    return s;
  }

 private:
  std::string buf_;
};

// One line of the dump: "name: value ..." as Kafka's DumpLogSegments
// prints, or with --json one JSON object (JSON Lines, which jq reads).
class Row {
 public:
  explicit Row(bool json) : json_(json) {}
  Row& Int(std::string_view name, int64_t value) { return Field(name, std::to_string(value)); }
  // `text` shown as is (control bytes escaped by the caller), or as a JSON string.
  Row& Text(std::string_view name, std::string_view shown, std::string_view raw) {
    return Field(name, json_ ? JsonString(raw) : std::string(shown));
  }
  Row& Flag(std::string_view name, std::string_view note) {
    if (json_) return Field(name, "true");
    line_ += std::string(line_.empty() ? "" : " ") + std::string(note);
    return *this;
  }
  void AppendTo(Output* out) {
    out->Append(json_ ? "{" + line_ + "}\n" : line_ + "\n");
    line_.clear();
  }

 private:
  Row& Field(std::string_view name, const std::string& value) {
    if (!line_.empty()) line_ += json_ ? "," : " ";
    line_ += json_ ? JsonString(name) + ":" + value : std::string(name) + ": " + value;
    return *this;
  }
  const bool json_;
  std::string line_;
};

// An index's entries; a partial entry at its end is said, not decoded.
template <typename Decode>
void DumpEntries(const std::string& data, size_t entry_size, bool json, Output* out,
                 Decode&& decode) {
  const size_t whole = data.size() / entry_size * entry_size;
  Row row(json);
  for (size_t at = 0; at < whole; at += entry_size) {
    decode(data.data() + at, row);
    row.AppendTo(out);
  }
  if (whole != data.size()) {
    if (json) {
      row.Int("trailing_bytes", static_cast<int64_t>(data.size() - whole)).AppendTo(out);
    } else {
      out->Append("(" + std::to_string(data.size() - whole) +
                  " trailing bytes: not a whole entry)\n");
    }
  }
}

void DumpIndex(const std::string& data, int64_t base, bool json, Output* out) {
  DumpEntries(data, store::kOffsetIndexEntrySize, json, out, [&](const char* at, Row& row) {
    store::OffsetIndexEntry e = store::DecodeOffsetIndexEntry(at, base);
    row.Int("offset", e.offset).Int("position", e.position);
  });
}

void DumpTimeIndex(const std::string& data, int64_t base, bool json, Output* out) {
  DumpEntries(data, store::kTimeIndexEntrySize, json, out, [&](const char* at, Row& row) {
    store::TimeIndexEntry e = store::DecodeTimeIndexEntry(at, base);
    row.Int("timestamp", e.timestamp_ms).Int("offset", e.offset);
  });
}

// A record's bytes with control characters escaped, delimiter left out.
void AppendPayload(std::string_view record, std::string* line) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : record) {
    if (c >= 0x20 && c != 0x7f) {
      line->push_back(static_cast<char>(c));
    } else if (c == '\t') {
      line->push_back('\t');
    } else {
      line->append("\\x");
      line->push_back(kHex[c >> 4]);
      line->push_back(kHex[c & 15]);
    }
  }
}

char LogDelimiter(int fd, const std::string& choice) {
  if (choice == "newline") return '\n';
  if (choice == "nul") return '\0';
  off_t size = ::lseek(fd, 0, SEEK_END);
  char last = '\n';
  if (size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last == '\0') return '\0';
  return '\n';
}

void DumpLog(const std::string& path, int64_t base, const std::string& delim_choice, bool json,
             Output* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Check(store::Status::ForErrno(errno, "open " + path));
  const char delim = LogDelimiter(fd, delim_choice);
  std::unique_ptr<char[]> buf(new char[kChunkBytes]);
  std::string carry;  // a record that continues into the next read
  int64_t offset = base, position = 0, read_pos = 0;
  std::string shown;
  Row row(json);
  auto emit = [&](std::string_view record, bool whole) {
    const std::string_view payload = whole ? record.substr(0, record.size() - 1) : record;
    shown.clear();
    if (!json) AppendPayload(payload, &shown);
    row.Int("offset", offset)
        .Int("position", position)
        .Int("size", static_cast<int64_t>(record.size()))
        .Text("payload", shown, payload);
    if (!whole) row.Flag("torn", "(torn: no delimiter)");
    row.AppendTo(out);
    ++offset;
    position += record.size();
  };
  for (;;) {
    ssize_t n = ::pread(fd, buf.get(), kChunkBytes, read_pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      store::Status s = store::Status::ForErrno(errno, "read " + path);
      ::close(fd);
      Check(s);
    }
    if (n == 0) break;
    read_pos += n;
    std::string_view chunk(buf.get(), n);
    while (!chunk.empty()) {
      size_t end = chunk.find(delim);
      if (end == std::string_view::npos) {
        carry.append(chunk);
        break;
      }
      if (carry.empty()) {
        emit(chunk.substr(0, end + 1), true);
      } else {
        carry.append(chunk.substr(0, end + 1));
        emit(carry, true);
        carry.clear();
      }
      chunk.remove_prefix(end + 1);
    }
  }
  ::close(fd);
  if (!carry.empty()) emit(carry, false);
}

}  // namespace

void SetupDumpCommand(CLI::App& app) {
  auto opt = std::make_shared<DumpOptions>();
  CLI::App* cmd = app.add_subcommand("dump", "Print .log, .index and .timeindex files as text");
  SetExamples(cmd, {"topicfs dump ./mnt/orders/0/00000000000000000000.index",
                    "topicfs dump ./mnt/orders/0/current | head"});
  cmd->add_option("FILE", opt->files, "Segment files (<20-digit base>.log|.index|.timeindex)")
      ->required()
      ->type_name("");
  cmd->add_option("--delimiter", opt->delimiter, "Record delimiter of .log files")
      ->check(CLI::IsMember({"auto", "newline", "nul"}));
  cmd->add_flag("--json", opt->json,
                "One JSON object per line: offset, position (.index); timestamp, offset "
                "(.timeindex); offset, position, size, payload, torn (.log); file before each "
                "file's lines when several are given");
  cmd->callback([opt] { RunDump(*opt); });
}

void RunDump(const DumpOptions& opt) {
  std::vector<std::pair<std::string, store::SegmentFileName>> files;
  for (const std::string& given : opt.files) {
    // `current` and other links name the segment they point at.
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink(given, ec);
    const std::string path =
        ec ? given : (std::filesystem::path(given).parent_path() / target).string();
    std::string name = path.substr(path.rfind('/') + 1);
    std::optional<store::SegmentFileName> parsed = store::ParseSegmentFileName(name);
    if (!parsed) {
      UsageFail(path + ": not a segment file (<20-digit base offset>.log, .index or .timeindex)");
    }
    files.emplace_back(path, *parsed);
  }
  Output out;
  for (const auto& [path, name] : files) {
    if (files.size() > 1) {
      out.Append(opt.json ? "{\"file\":" + JsonString(path) + "}\n" : "Dumping " + path + "\n");
    }
    switch (name.kind) {
      case store::SegmentFileKind::kIndex:
        DumpIndex(Check(ReadWholeFile(path)), name.base_offset, opt.json, &out);
        break;
      case store::SegmentFileKind::kTimeIndex:
        DumpTimeIndex(Check(ReadWholeFile(path)), name.base_offset, opt.json, &out);
        break;
      case store::SegmentFileKind::kLog:
        DumpLog(path, name.base_offset, opt.delimiter, opt.json, &out);
        break;
    }
  }
  Check(out.Flush());
}

}  // namespace topicfs::cli
