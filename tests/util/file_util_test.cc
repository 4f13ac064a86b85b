#include "lib/util/file_util.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace hw1 {
namespace {
namespace fs = std::filesystem;

std::string Tmp(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(FileUtilTest, AtomicWriteReplacesAndLeavesNoTemporaries) {
  const std::string path = Tmp("atomic/out.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  EXPECT_EQ(*ReadFile(path), "second");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(FileUtilTest, FailedWriteKeepsTheOldFile) {
  const std::string dir = Tmp("readonly");
  fs::create_directories(dir);
  const std::string path = dir + "/keep.txt";
  ASSERT_TRUE(WriteFileAtomically(path, "precious").ok());
  if (geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  chmod(dir.c_str(), 0555);
  absl::Status status = WriteFileAtomically(path, "lost?");
  chmod(dir.c_str(), 0755);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(dir), std::string::npos);
  EXPECT_EQ(*ReadFile(path), "precious");
}

TEST(FileUtilTest, TargetIsAFolderFailsCleanly) {
  const std::string dir = Tmp("is_a_folder");
  fs::create_directories(dir + "/x");
  absl::Status status = WriteFileAtomically(dir + "/x", "data");
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(fs::is_directory(dir + "/x"));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1) << "the temporary file was not removed";
}

TEST(FileUtilTest, StaleTemporariesOfDeadWritersAreRemoved) {
  const std::string path = Tmp("stale/run.ckpt");
  ASSERT_TRUE(WriteFileAtomically(path, "checkpoint").ok());
  const pid_t child = fork();  // a writer that has gone: its pid, reaped, is free
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  const std::string dead = path + ".tmp." + std::to_string(child);
  const std::string alive = path + ".tmp." + std::to_string(getpid());
  const std::string other = Tmp("stale/other.ckpt.tmp.") + std::to_string(child);
  for (const std::string& p : {dead, alive, other})
    ASSERT_TRUE(WriteFileAtomically(p, "half").ok());
  EXPECT_EQ(RemoveStaleTemporaries(path), 1);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(alive));  // a live writer's file is its own
  EXPECT_TRUE(fs::exists(other));  // another target's
  EXPECT_EQ(*ReadFile(path), "checkpoint");
}

// Holders take turns: never two inside at once, every update runs, and what
// the update returns comes back. (Each thread opens the folder itself, as a
// second process would: flock excludes separate opens within one process too.)
TEST(FileUtilTest, FolderLockLetsOneHolderInAtATime) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/locked/folder";
  std::atomic<int> inside{0}, most{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        const absl::Status status = WithFolderLock(dir, [&] {
          const int now = ++inside;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          --inside;
          ++done;
          return absl::OkStatus();
        });
        EXPECT_TRUE(status.ok()) << status;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(done.load(), 20);
  EXPECT_TRUE(fs::is_directory(dir));  // created, and no lock file left in it
  EXPECT_TRUE(fs::is_empty(dir));
  EXPECT_EQ(WithFolderLock(dir, [] { return absl::DataLossError("x"); }).code(),
            absl::StatusCode::kDataLoss);
}

TEST(FileUtilTest, Md5MatchesKnownDigests) {
  EXPECT_EQ(Md5OfBytes(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5OfBytes("The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6");
  const std::string path = Tmp("md5.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "The quick brown fox jumps over the lazy dog").ok());
  EXPECT_EQ(*Md5OfFile(path), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(Md5OfFile(path + ".missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace hw1
