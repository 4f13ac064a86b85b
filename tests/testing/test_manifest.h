#ifndef HW1_TESTS_TESTING_TEST_MANIFEST_H_
#define HW1_TESTS_TESTING_TEST_MANIFEST_H_

// A run manifest for a job called from a test, as the binary's Start() opens one.

#include "lib/util/run_context.h"

namespace hw1::testing {

inline Manifest TestManifest(const char* program) {
  char* argv[] = {const_cast<char*>(program), nullptr};
  return Manifest(program, 1, argv);
}

}  // namespace hw1::testing

#endif  // HW1_TESTS_TESTING_TEST_MANIFEST_H_
