# libcurl (Debian libcurl4-openssl-dev): the CIFAR-10 download.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "curl",
    hdrs = glob(["include/curl/*.h"]),
    includes = ["include"],
    linkopts = %{PKG:curl},
)
