# libarchive (Debian libarchive-dev): unpacks the CIFAR-10 tarball.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "libarchive",
    hdrs = ["include/archive.h", "include/archive_entry.h"],
    includes = ["include"],
    linkopts = %{PKG:archive},
)
