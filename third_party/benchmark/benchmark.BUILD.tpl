# Google Benchmark 1.7 (Debian libbenchmark-dev).
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "benchmark",
    hdrs = glob(["include/benchmark/**/*.h"]),
    includes = ["include"],
    linkopts = %{PKG:benchmark} + ["-lpthread"],
)

cc_library(
    name = "benchmark_main",
    # Static archive holding main(); listed before libbenchmark so it resolves.
    linkopts = ["-lbenchmark_main"] + %{PKG:benchmark} + ["-lpthread"],
    deps = [":benchmark"],
)
