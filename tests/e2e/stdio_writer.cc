// A C stdio writer for the refusal tests: fwrite of a record file's bytes
// to an append-mode FILE, fflush, then the record argv[3] on the same FILE;
// prints the errno of every call that failed, as decimal numbers. With
// argv[4], removes that file before the next record (glibc retries a short
// count inside fwrite, so space cannot come back between the two).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  std::ifstream in(argv[2], std::ios::binary);
  std::string rec((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FILE* f = std::fopen(argv[1], "ab");
  if (f == nullptr) return 3;
  if (std::fwrite(rec.data(), 1, rec.size(), f) != rec.size()) std::printf("%d ", errno);
  if (std::fflush(f) != 0) std::printf("%d ", errno);
  if (argc > 4) ::unlink(argv[4]);
  std::clearerr(f);
  if (std::fputs(argv[3], f) < 0 || std::fflush(f) != 0) std::printf("%d ", errno);
  if (std::fclose(f) != 0) std::printf("%d ", errno);
  std::printf("\n");
  return 0;
}
