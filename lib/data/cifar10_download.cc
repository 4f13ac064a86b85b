#include "lib/data/cifar10_download.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "lib/data/cifar10.h"
#include "lib/util/file_util.h"

namespace hw1::data {
namespace fs = std::filesystem;
namespace {

struct TransferState {
  FILE* file = nullptr;
  bool progress = false;
  int last_percent = -1;
};

size_t WriteChunk(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  return std::fwrite(data, size, count, state->file) * size;
}

int Progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* state = static_cast<TransferState*>(user);
  if (!state->progress || total <= 0) return 0;
  const int percent = static_cast<int>(100 * now / total);
  if (percent != state->last_percent) {
    state->last_percent = percent;
    const int bar = percent / 2;
    std::fprintf(stderr, "\rCIFAR-10 [%-50s] %3d%% %6.1f/%.1f MB",
                 std::string(static_cast<size_t>(bar), '#').c_str(), percent, now / 1e6,
                 total / 1e6);
    if (now == total) std::fprintf(stderr, "\n");
  }
  return 0;
}

absl::Status Fetch(const std::string& url, const std::string& path,
                   const DownloadOptions& options) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!file) return absl::InternalError(absl::StrCat("cannot create ", path));
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("libcurl failed to initialise");
  TransferState state{file.get(), options.progress && isatty(STDERR_FILENO) == 1, -1};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);  // HTTP >= 400 is an error
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, WriteChunk);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &state);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, options.timeout_seconds);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    long http = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &http);
    return absl::UnavailableError(
        absl::StrCat("download of ", url, " failed: ", error[0] ? error : curl_easy_strerror(code),
                     http ? absl::StrCat(" (HTTP ", http, ")") : ""));
  }
  if (std::fflush(file.get()) != 0) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status Extract(const std::string& archive_path, const std::string& dir) {
  std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_all(reader.get());
  if (archive_read_open_filename(reader.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return absl::DataLossError(
        absl::StrCat(archive_path, ": ", archive_error_string(reader.get())));
  }
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    const fs::path name = fs::path(archive_entry_pathname(entry)).lexically_normal();
    if (name.is_absolute() || name.string().rfind("..", 0) == 0) {
      return absl::DataLossError(absl::StrCat(archive_path, ": unsafe entry ", name.string()));
    }
    const fs::path out = fs::path(dir) / name;
    if (archive_entry_filetype(entry) == AE_IFDIR) {
      fs::create_directories(out);
      continue;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    fs::create_directories(out.parent_path());
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(out.c_str(), "wb"), std::fclose);
    if (!file) return absl::InternalError(absl::StrCat("cannot create ", out.string()));
    const void* block;
    size_t size;
    la_int64_t offset;
    int r;
    while ((r = archive_read_data_block(reader.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      if (std::fwrite(block, 1, size, file.get()) != size) {
        return absl::InternalError(absl::StrCat("cannot write ", out.string()));
      }
    }
    if (r != ARCHIVE_EOF) {
      return absl::DataLossError(
          absl::StrCat(archive_path, ": ", archive_error_string(reader.get())));
    }
  }
  if (status != ARCHIVE_EOF) {
    return absl::DataLossError(
        absl::StrCat(archive_path, ": ", archive_error_string(reader.get())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DownloadCifar10(const std::string& target_dir, const DownloadOptions& options) {
  const fs::path target = fs::path(target_dir).lexically_normal();
  std::error_code ec;
  if (fs::exists(target, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat(target.string(), " already exists; not downloading over it"));
  }
  fs::create_directories(target.parent_path(), ec);
  const fs::path temp = target.parent_path() / absl::StrCat(".cifar10-download.", ::getpid());
  fs::remove_all(temp, ec);
  fs::create_directories(temp, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot create ", temp.string(), ": ", ec.message()));
  auto cleanup = [&] { fs::remove_all(temp, ec); };

  const std::string archive_path = (temp / "cifar-10-binary.tar.gz").string();
  std::fprintf(stderr, "downloading %s\n", options.url.c_str());
  if (absl::Status s = Fetch(options.url, archive_path, options); !s.ok()) {
    cleanup();
    return s;
  }
  absl::StatusOr<std::string> md5 = Md5OfFile(archive_path);
  if (!md5.ok() || *md5 != options.md5) {
    cleanup();
    return absl::DataLossError(absl::StrCat("download of ", options.url, " has MD5 ",
                                            md5.ok() ? *md5 : "?", ", expected ", options.md5,
                                            "; not used"));
  }
  const std::string extracted = (temp / "extracted").string();
  if (absl::Status s = Extract(archive_path, extracted); !s.ok()) {
    cleanup();
    return s;
  }
  const fs::path unpacked = fs::path(extracted) / "cifar-10-batches-bin";
  LoadOptions check_options;  // a quick look: is it CIFAR-10 at all?
  check_options.train_limit = 1;
  check_options.test_limit = 1;
  check_options.compute_md5 = false;
  check_options.require_official_sizes =
      false;  // checked when loaded, under the user's --partial_data
  absl::StatusOr<Cifar10> check = LoadCifar10(unpacked.string(), check_options);
  if (!check.ok()) {
    cleanup();
    return absl::DataLossError(absl::StrCat("the archive from ", options.url,
                                            " does not hold CIFAR-10: ", check.status().message()));
  }
  fs::rename(unpacked, target, ec);
  cleanup();
  if (ec)
    return absl::InternalError(
        absl::StrCat("cannot move the data into ", target.string(), ": ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> LocateOrDownloadCifar10(const std::string& flag_dir,
                                                    bool allow_download) {
  absl::StatusOr<std::string> found = LocateCifar10(flag_dir);
  const char* env = std::getenv("CIFAR10_DIR");
  const bool default_location = flag_dir.empty() && (env == nullptr || *env == '\0');
  if (found.ok() || !default_location || !allow_download || std::getenv("TEST_TMPDIR") != nullptr)
    return found;
  if (absl::Status s = DownloadCifar10(DefaultCacheDir()); !s.ok()) {
    return absl::UnavailableError(absl::StrCat(s.message(), ".\n", found.status().message()));
  }
  return DefaultCacheDir();
}

}  // namespace hw1::data
