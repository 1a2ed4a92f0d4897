// Store::Verify: re-reads sealed segments against their catalog XXH3-64 and
// checks every index against the bytes of its .log (DESIGN §4).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>

#include "store/file_hash.h"
#include "store/file_io.h"
#include "store/offset_index.h"
#include "store/segment.h"
#include "store/store.h"
#include "store/time_index.h"

namespace topicfs::store {
namespace {

class SegmentVerifier {
 public:
  SegmentVerifier(std::vector<VerifyProblem>* problems, char delimiter, bool has_tier)
      : problems_(problems), delimiter_(delimiter), has_tier_(has_tier) {}

  // A segment held only in the remote tier: its .log read back through the
  // tier against its XXH3-64, its indexes fetched and checked. Without a
  // tier (a store opened without -o tier) there is nothing to read it with.
  void VerifyRemote(Segment& seg) {
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    std::string buf(1 << 20, '\0');
    const int64_t size = seg.size();
    for (int64_t pos = 0; pos < size;) {
      Result<size_t> n = seg.Read(buf.data(), buf.size(), pos);
      if (!n.ok() || *n == 0) {
        XXH3_freeState(state);
        if (!n.ok() && n.status().Is(Code::kUnavailable) && !has_tier_) return;
        Problem(seg.log_path(), "remote copy cannot be read: " +
                                    (n.ok() ? std::string("short") : n.status().ToString()));
        return;
      }
      XXH3_64bits_update(state, buf.data(), *n);
      pos += static_cast<int64_t>(*n);
    }
    const uint64_t digest = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    if (digest != seg.xxh3()) {
      Problem(seg.log_path(), "remote copy: " + HashMismatch(Xxh3Hex(digest), Xxh3Hex(seg.xxh3())));
    }
    Result<RemoteIndexes> indexes = seg.FetchRemoteIndexes();
    if (!indexes.ok()) {
      Problem(seg.index_path(), "remote copy cannot be read: " + indexes.status().ToString());
      return;
    }
    if (Status s = OffsetIndex::Check(indexes->index, seg.base_offset(), seg.next_offset(), size);
        !s.ok()) {
      Problem(seg.index_path(), "remote copy: " + s.message());
    }
    if (Status s = TimeIndex::Check(indexes->time_index, seg.base_offset(), seg.next_offset());
        !s.ok()) {
      Problem(seg.time_index_path(), "remote copy: " + s.message());
    }
  }

  void Verify(Segment& seg) {
    if (seg.remote_only()) return VerifyRemote(seg);
    // Sealed-ness first: a segment seen sealed never changes, so what is
    // read next is final; one seen active is checked as active even if it
    // rolls meanwhile. Then the index files: entries are written after their
    // data, so every entry read now points below the size read next.
    const bool sealed = seg.sealed();
    Result<std::string> index = ReadWholeFile(seg.index_path());
    Result<std::string> time_index = ReadWholeFile(seg.time_index_path());
    const int64_t size = seg.size();
    const int64_t next = seg.next_offset();
    struct stat st;
    if (::stat(seg.log_path().c_str(), &st) != 0) {
      Problem(seg.log_path(), "missing");
      return;
    }
    if (st.st_size < size) {
      Problem(seg.log_path(), "holds " + std::to_string(st.st_size) + " bytes, the catalog " +
                                  std::to_string(size));
    } else if (sealed && st.st_size != size) {
      Problem(seg.log_path(), "sealed segment changed size to " + std::to_string(st.st_size));
    }
    // One descriptor, for this segment only.
    Result<FileRef> log = seg.OpenLog();
    if (!log.ok()) {
      Problem(seg.log_path(), "cannot be opened: " + log.status().ToString());
      return;
    }
    if (sealed) CheckHash(seg, log->fd(), size);
    if (!index.ok()) {
      Problem(seg.index_path(), "missing");
    } else {
      Status s = OffsetIndex::Check(*index, seg.base_offset(), next, size);
      if (!s.ok()) {
        Problem(seg.index_path(), s.message());
      } else {
        CheckEntriesStartRecords(seg, log->fd(), *index);
      }
    }
    if (!time_index.ok()) {
      Problem(seg.time_index_path(), "missing");
    } else if (Status s = TimeIndex::Check(*time_index, seg.base_offset(), next); !s.ok()) {
      Problem(seg.time_index_path(), s.message());
    }
  }

 private:
  void Problem(const std::string& path, std::string what) {
    problems_->push_back({path, std::move(what)});
  }

  void CheckHash(Segment& seg, int fd, int64_t size) {
    Result<uint64_t> digest = Xxh3OfFile(fd, size, seg.log_path());
    if (!digest.ok()) {
      Problem(seg.log_path(), "cannot be read");
    } else if (*digest != seg.xxh3()) {
      Problem(seg.log_path(), HashMismatch(Xxh3Hex(*digest), Xxh3Hex(seg.xxh3())));
    }
  }

  // Every indexed position must be the start of a record: the byte before it
  // is a delimiter.
  void CheckEntriesStartRecords(Segment& seg, int fd, const std::string& index) {
    for (size_t i = 0; i < index.size(); i += kOffsetIndexEntrySize) {
      OffsetIndexEntry e = OffsetIndex::Decode(index.data() + i, seg.base_offset());
      char before = 0;
      if (e.position == 0 || ::pread(fd, &before, 1, e.position - 1) != 1 || before != delimiter_) {
        Problem(seg.index_path(), "entry " + std::to_string(i / kOffsetIndexEntrySize) +
                                      " does not point at the start of a record");
        return;
      }
    }
  }

  std::vector<VerifyProblem>* problems_;
  char delimiter_;
  bool has_tier_;
};

}  // namespace

std::vector<VerifyProblem> Store::Verify(
    const std::function<void(int64_t done_bytes, int64_t total_bytes)>& progress) {
  std::vector<VerifyProblem> problems;
  std::vector<std::shared_ptr<Topic>> topics;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, topic] : topics_) topics.push_back(topic);
  }
  int64_t total = 0, done = 0;
  for (auto& topic : topics) {
    for (auto& p : topic->partitions()) total += p->size_bytes();
  }
  for (auto& topic : topics) {
    for (auto& p : topic->partitions()) {
      SegmentVerifier verifier(&problems, p->delimiter(), tier_cache_ != nullptr);
      auto segments = p->SegmentChain();
      for (size_t i = 0; i < segments.size(); ++i) {
        verifier.Verify(*segments[i]);
        done += segments[i]->size();
        if (progress) progress(done, total);
        if (i + 1 < segments.size() &&
            segments[i]->next_offset() != segments[i + 1]->base_offset()) {
          problems.push_back({segments[i + 1]->log_path(),
                              "offsets jump from " + std::to_string(segments[i]->next_offset()) +
                                  " to " + std::to_string(segments[i + 1]->base_offset())});
        }
      }
    }
  }
  return problems;
}

}  // namespace topicfs::store
