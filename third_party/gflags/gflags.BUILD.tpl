# gflags 2.2 (Debian libgflags-dev). LibTorch's c10 links the same shared
# library, so our flags and c10's share one registry.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "gflags",
    hdrs = glob(["include/gflags/**/*.h"]),
    includes = ["include"],
    linkopts = %{PKG:gflags},
)
