# Eigen 3.4 (Debian libeigen3-dev): header-only.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "eigen",
    hdrs = glob(["include/eigen3/Eigen/**", "include/eigen3/unsupported/**"]),
    includes = ["include/eigen3"],
)
