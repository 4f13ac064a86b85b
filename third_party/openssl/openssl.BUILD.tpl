# OpenSSL's libcrypto (Debian libssl-dev): MD5 of downloads and data files.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "crypto",
    hdrs = glob(["include/openssl/*.h", "include_arch/openssl/*.h"]),
    includes = ["include", "include_arch"],
    linkopts = %{PKG:crypto},
)
