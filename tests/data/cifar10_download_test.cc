#include "lib/data/cifar10_download.h"

#include <archive.h>
#include <archive_entry.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/data/cifar10.h"
#include "lib/util/file_util.h"

namespace hw1::data {
namespace {
namespace fs = std::filesystem;

// The fixture packed as the official archive lays it out: cifar-10-batches-bin/<file>.
std::string FixtureArchive() {
  std::string bytes;
  archive* writer = archive_write_new();
  archive_write_add_filter_gzip(writer);
  archive_write_set_format_pax_restricted(writer);
  archive_write_open(
      writer, &bytes, nullptr,
      [](archive*, void* user, const void* data, size_t size) -> la_ssize_t {
        static_cast<std::string*>(user)->append(static_cast<const char*>(data), size);
        return static_cast<la_ssize_t>(size);
      },
      nullptr);
  for (const auto& file : fs::directory_iterator("tests/data/cifar10_fixture")) {
    if (file.path().extension() == ".md") continue;
    const std::string contents = *ReadFile(file.path().string());
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry,
                               ("cifar-10-batches-bin/" + file.path().filename().string()).c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(contents.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_write_header(writer, entry);
    archive_write_data(writer, contents.data(), contents.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return bytes;
}

// A one-thread HTTP/1.0 server on 127.0.0.1 serving:
//   /good.tar.gz  the archive;  /cut.tar.gz  half of it, then the connection drops;
//   anything else 404.
class LocalServer {
 public:
  explicit LocalServer(std::string body) : body_(std::move(body)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listener_, 8);
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LocalServer() {
    stop_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

 private:
  void Serve() {
    while (!stop_) {
      const int client = accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      char request[4096] = {0};
      const ssize_t n = recv(client, request, sizeof(request) - 1, 0);
      const std::string line(request, n > 0 ? static_cast<size_t>(n) : 0);
      std::string response;
      if (line.rfind("GET /good.tar.gz ", 0) == 0) {
        response =
            absl::StrCat("HTTP/1.0 200 OK\r\nContent-Length: ", body_.size(), "\r\n\r\n", body_);
      } else if (line.rfind("GET /cut.tar.gz ", 0) == 0) {
        response = absl::StrCat("HTTP/1.0 200 OK\r\nContent-Length: ", body_.size(), "\r\n\r\n",
                                body_.substr(0, body_.size() / 2));
      } else {
        response = "HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
      }
      send(client, response.data(), response.size(), MSG_NOSIGNAL);
      close(client);
    }
  }
  std::string body_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string Parent(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// Nothing but the target (if any) is left in the parent folder.
int EntriesIn(const std::string& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    (void)entry;
    ++n;
  }
  return n;
}

class DownloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    archive_bytes_ = new std::string(FixtureArchive());
    server_ = new LocalServer(*archive_bytes_);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete archive_bytes_;
  }
  DownloadOptions Options(const std::string& path) {
    DownloadOptions options;
    options.url = server_->Url(path);
    options.md5 = Md5OfBytes(*archive_bytes_);
    options.progress = false;
    options.timeout_seconds = 30;
    return options;
  }
  static std::string* archive_bytes_;
  static LocalServer* server_;
};
std::string* DownloadTest::archive_bytes_ = nullptr;
LocalServer* DownloadTest::server_ = nullptr;

TEST_F(DownloadTest, GoodArchiveIsUnpackedIntoPlace) {
  const std::string parent = Parent("good");
  const std::string target = parent + "/cifar-10-batches-bin";
  ASSERT_TRUE(DownloadCifar10(target, Options("/good.tar.gz")).ok());
  LoadOptions fixture_sized;  // the test archive holds the fixture's 40 records per file
  fixture_sized.require_official_sizes = false;
  absl::StatusOr<Cifar10> data = LoadCifar10(target, fixture_sized);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 200);
  EXPECT_EQ(EntriesIn(parent), 1);  // no temporary folder left
  // A second download does not overwrite.
  EXPECT_EQ(DownloadCifar10(target, Options("/good.tar.gz")).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(DownloadTest, WrongChecksumIsRefused) {
  const std::string parent = Parent("md5");
  DownloadOptions options = Options("/good.tar.gz");
  options.md5 = "00000000000000000000000000000000";
  absl::Status status = DownloadCifar10(parent + "/cifar-10-batches-bin", options);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("expected 00000000000000000000000000000000"), std::string::npos);
  EXPECT_EQ(EntriesIn(parent), 0);
}

TEST_F(DownloadTest, NotFoundNamesTheStatus) {
  const std::string parent = Parent("404");
  absl::Status status =
      DownloadCifar10(parent + "/cifar-10-batches-bin", Options("/missing.tar.gz"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("404"), std::string::npos) << status;
  EXPECT_EQ(EntriesIn(parent), 0);
}

TEST_F(DownloadTest, ConnectionCutMidTransferLeavesNothing) {
  const std::string parent = Parent("cut");
  absl::Status status = DownloadCifar10(parent + "/cifar-10-batches-bin", Options("/cut.tar.gz"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("download of"), std::string::npos) << status;
  EXPECT_EQ(EntriesIn(parent), 0);
}

TEST(LocateOrDownloadTest, NeverDownloadsUnderBazelTest) {
  setenv("HOME", Parent("home").c_str(), 1);
  unsetenv("CIFAR10_DIR");
  absl::StatusOr<std::string> result = LocateOrDownloadCifar10("", /*allow_download=*/true);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("Put the official binary files"), std::string::npos);
  EXPECT_FALSE(fs::exists(DefaultCacheDir()));
}

}  // namespace
}  // namespace hw1::data
