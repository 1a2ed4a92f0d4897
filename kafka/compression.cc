#include "kafka/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

namespace topicfs::kafka {
namespace {

using store::Result;
using store::Status;

constexpr size_t kStep = 64 << 10;

Status Corrupt(const char* codec, std::string_view why) {
  return Status::Corruption(std::string(codec) + " records: " + std::string(why));
}

Status TooLong(size_t max) {
  return Status::TooBig("compressed records expand past " + std::to_string(max) + " bytes");
}

Result<std::string> Gunzip(std::string_view in, size_t max) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Corrupt("gzip", "inflateInit2");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&z, &inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() >= max) return TooLong(max);
    size_t at = out.size();
    out.resize(std::min(max, at + kStep));
    z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    z.avail_out = static_cast<uInt>(out.size() - at);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) return Corrupt("gzip", "truncated");
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      return Corrupt("gzip", z.msg ? z.msg : "inflate");
  }
  return out;
}

Result<std::string> Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::IOError("deflateInit2");
  }
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::IOError("deflate");
  return out;
}

// Kafka's Java clients frame snappy as xerial's SnappyOutputStream does: a
// 16-byte header, then blocks of a big-endian length and a raw block.
constexpr char kXerialMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};

Status RawUnsnappy(std::string_view in, size_t max, std::string* out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) return Corrupt("snappy", "length");
  if (out->size() + n > max) return TooLong(max);
  std::string block;
  if (!snappy::Uncompress(in.data(), in.size(), &block)) return Corrupt("snappy", "block");
  out->append(block);
  return Status::OK();
}

Result<std::string> Unsnappy(std::string_view in, size_t max) {
  std::string out;
  if (in.size() < 16 || std::memcmp(in.data(), kXerialMagic, sizeof kXerialMagic) != 0) {
    Status s = RawUnsnappy(in, max, &out);
    if (!s.ok()) return s;
    return out;
  }
  in.remove_prefix(16);
  while (!in.empty()) {
    if (in.size() < 4) return Corrupt("snappy", "truncated block length");
    const uint32_t len = (uint32_t(uint8_t(in[0])) << 24) | (uint32_t(uint8_t(in[1])) << 16) |
                         (uint32_t(uint8_t(in[2])) << 8) | uint32_t(uint8_t(in[3]));
    in.remove_prefix(4);
    if (len > in.size()) return Corrupt("snappy", "truncated block");
    Status s = RawUnsnappy(in.substr(0, len), max, &out);
    if (!s.ok()) return s;
    in.remove_prefix(len);
  }
  return out;
}

Result<std::string> Unlz4(std::string_view in, size_t max) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) {
    return Corrupt("lz4", "context");
  }
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> guard(
      ctx, &LZ4F_freeDecompressionContext);
  std::string out;
  size_t hint = 1;
  while (!in.empty() && hint != 0) {
    if (out.size() >= max) return TooLong(max);
    size_t at = out.size();
    out.resize(std::min(max, at + kStep));
    size_t dst = out.size() - at, src = in.size();
    hint = LZ4F_decompress(ctx, out.data() + at, &dst, in.data(), &src, nullptr);
    if (LZ4F_isError(hint)) return Corrupt("lz4", LZ4F_getErrorName(hint));
    out.resize(at + dst);
    in.remove_prefix(src);
    if (src == 0 && dst == 0) break;
  }
  if (hint != 0) return Corrupt("lz4", "truncated frame");
  return out;
}

Result<std::string> Unzstd(std::string_view in, size_t max) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string out;
  size_t rc = 1;
  while (rc != 0) {
    if (out.size() >= max) return TooLong(max);
    size_t at = out.size();
    out.resize(std::min(max, at + kStep));
    ZSTD_outBuffer output{out.data() + at, out.size() - at, 0};
    rc = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(rc)) return Corrupt("zstd", ZSTD_getErrorName(rc));
    out.resize(at + output.pos);
    if (rc != 0 && input.pos == input.size && output.pos == 0) {
      return Corrupt("zstd", "truncated frame");
    }
  }
  return out;
}

}  // namespace

Result<std::string> Decompress(Codec codec, std::string_view bytes, size_t max_bytes) {
  switch (codec) {
    case Codec::kNone:
      if (bytes.size() > max_bytes) return TooLong(max_bytes);
      return std::string(bytes);
    case Codec::kGzip:
      return Gunzip(bytes, max_bytes);
    case Codec::kSnappy:
      return Unsnappy(bytes, max_bytes);
    case Codec::kLz4:
      return Unlz4(bytes, max_bytes);
    case Codec::kZstd:
      return Unzstd(bytes, max_bytes);
  }
  return Status::InvalidArgument("unknown compression codec " + std::to_string(int(codec)));
}

Result<std::string> Compress(Codec codec, std::string_view bytes) {
  switch (codec) {
    case Codec::kNone:
      return std::string(bytes);
    case Codec::kGzip:
      return Gzip(bytes);
    case Codec::kSnappy: {
      std::string out;
      snappy::Compress(bytes.data(), bytes.size(), &out);
      return out;
    }
    case Codec::kLz4: {
      std::string out(LZ4F_compressFrameBound(bytes.size(), nullptr), '\0');
      size_t n = LZ4F_compressFrame(out.data(), out.size(), bytes.data(), bytes.size(), nullptr);
      if (LZ4F_isError(n)) return Status::IOError(LZ4F_getErrorName(n));
      out.resize(n);
      return out;
    }
    case Codec::kZstd: {
      std::string out(ZSTD_compressBound(bytes.size()), '\0');
      size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
      if (ZSTD_isError(n)) return Status::IOError(ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
  }
  return Status::InvalidArgument("unknown compression codec " + std::to_string(int(codec)));
}

}  // namespace topicfs::kafka
