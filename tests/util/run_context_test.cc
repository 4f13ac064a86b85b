#include "lib/util/run_context.h"

#include <gflags/gflags.h>

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"
#include "lib/util/file_util.h"

DEFINE_int32(test_only_flag, 7, "a flag this test reads back from the manifest");

namespace hw1 {
namespace {

TEST(RunContextTest, PathsFollowBazelRunVariables) {
  setenv("BUILD_WORKING_DIRECTORY", "/home/user/work", 1);
  setenv("BUILD_WORKSPACE_DIRECTORY", "/home/user/hw1-repro", 1);
  EXPECT_EQ(ResolveUserPath("data/x"), "/home/user/work/data/x");
  EXPECT_EQ(ResolveUserPath("../y"), "/home/user/y");
  EXPECT_EQ(ResolveUserPath("/abs"), "/abs");
  EXPECT_EQ(ResolveOutDir(""), "/home/user/hw1-repro/reports/data");
  EXPECT_EQ(ResolveOutDir("out"), "/home/user/work/out");
  unsetenv("BUILD_WORKING_DIRECTORY");
  unsetenv("BUILD_WORKSPACE_DIRECTORY");
  EXPECT_EQ(ResolveUserPath("rel"), "rel");
}

// A checkout in TEST_TMPDIR with one source file and one result file.
class GitCommitTest : public testing::Test {
 protected:
  void SetUp() override {
    repo_ = std::string(std::getenv("TEST_TMPDIR")) + "/repo";
    std::filesystem::remove_all(repo_);
    std::filesystem::create_directories(repo_ + "/lib");
    std::filesystem::create_directories(repo_ + "/reports/data");
    ASSERT_TRUE(WriteFileAtomically(repo_ + "/lib/a.cc", "int a;\n").ok());
    ASSERT_TRUE(WriteFileAtomically(repo_ + "/reports/data/r.csv", "x\n1\n").ok());
    Git("init -q");
    Git("add -A");
    Git("-c user.name=t -c user.email=t@t commit -q -m init");
    setenv("BUILD_WORKSPACE_DIRECTORY", repo_.c_str(), 1);
  }
  void TearDown() override { unsetenv("BUILD_WORKSPACE_DIRECTORY"); }
  void Git(const std::string& args) {
    ASSERT_EQ(std::system(("git -C '" + repo_ + "' " + args + " >/dev/null 2>&1").c_str()), 0)
        << args;
  }
  std::string repo_;
};

TEST_F(GitCommitTest, ResultsDoNotMakeTheCodeDirty) {
  const std::string clean = GitCommit();
  ASSERT_EQ(clean.size(), 40u) << clean;
  ASSERT_TRUE(WriteFileAtomically(repo_ + "/reports/data/r.csv", "x\n1\n2\n").ok());
  EXPECT_EQ(GitCommit(), clean);
  ASSERT_TRUE(WriteFileAtomically(repo_ + "/lib/a.cc", "int b;\n").ok());
  EXPECT_EQ(GitCommit(), clean + "-dirty");
}

TEST(ManifestTest, RecordsFlagsAndKeepsOtherRuns) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/manifest";
  char arg0[] = "exp";
  char* argv[] = {arg0};
  {
    Manifest first("exp", 1, argv);
    first["runs"]["a"] = {{"seed", 0}};
    ASSERT_TRUE(first.Write(dir).ok());
  }
  Manifest second("exp", 1, argv);
  second["runs"]["b"] = {{"seed", 1}};
  second["threads"] = 2;
  ASSERT_TRUE(second.Write(dir).ok());
  const nlohmann::json json = nlohmann::json::parse(*ReadFile(dir + "/exp.manifest.json"));
  EXPECT_EQ(json["experiment"], "exp");
  EXPECT_EQ(json["flags"]["test_only_flag"], "7");
  EXPECT_TRUE(json["runs"].contains("a"));
  EXPECT_TRUE(json["runs"].contains("b"));
  EXPECT_EQ(json["threads"], 2);
  EXPECT_TRUE(json.contains("git_commit"));
  EXPECT_GE(json["wall_seconds"].get<double>(), 0.0);
}

// gflags takes the flags it parsed out of argv; the manifest still shows the
// command as typed, so that a reader can run it again.
TEST(ManifestTest, CommandLineIsTheOneTyped) {
  char arg0[] = "exp", arg1[] = "--test_only_flag=9", arg2[] = "extra";
  char* args[] = {arg0, arg1, arg2, nullptr};
  int argc = 3;
  char** argv = args;
  gflags::ParseCommandLineFlags(&argc, &argv, /*remove_flags=*/true);
  ASSERT_EQ(argc, 2);  // the flag is gone from argv
  Manifest manifest("exp", argc, argv);
  EXPECT_EQ(manifest.json()["command_line"],
            nlohmann::json({"exp", "--test_only_flag=9", "extra"}));
  EXPECT_EQ(manifest.json()["flags"]["test_only_flag"], "9");
  EXPECT_TRUE(manifest.json().contains("openblas_core"));
  FLAGS_test_only_flag = 7;  // as the other test expects it
}

}  // namespace
}  // namespace hw1
