# GiNaC 1.8 with CLN (Debian libginac-dev): computer algebra in C++.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "ginac",
    hdrs = glob(["include/ginac/**/*.h", "include/cln/**/*.h"]),
    includes = ["include"],
    linkopts = %{PKG:ginac},
)
