# GoogleTest and GoogleMock 1.12 (Debian libgtest-dev, libgmock-dev).
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "gtest",
    hdrs = glob(["include/gtest/**/*.h", "include/gmock/**/*.h"]),
    defines = ["GTEST_HAS_PTHREAD=1"],
    includes = ["include"],
    linkopts = %{PKG:gmock},
)

cc_library(
    name = "gtest_main",
    linkopts = %{PKG:gtest_main},
    deps = [":gtest"],
)
