#ifndef HW1_TESTS_TESTING_TEST_PATHS_H_
#define HW1_TESTS_TESTING_TEST_PATHS_H_

// What the C++ tests share about their files: a fresh path in the test's own
// temporary folder, and the load options of the CIFAR-10 fixture.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "lib/data/cifar10.h"

namespace hw1::testing {

// $TEST_TMPDIR/<name>, removed if an earlier case left it there.
inline std::string FreshTmpPath(const std::string& name) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove(path);
  return path;
}

// tests/data's fixture holds 40 records per training file, not the official 10,000.
inline data::LoadOptions FixtureLoadOptions() {
  data::LoadOptions options;
  options.require_official_sizes = false;
  return options;
}

}  // namespace hw1::testing

#endif  // HW1_TESTS_TESTING_TEST_PATHS_H_
