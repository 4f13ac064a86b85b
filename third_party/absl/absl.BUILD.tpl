# Abseil (Debian libabsl-dev, LTS 20220623): one target per component we use,
# linked with the flags its pkg-config module lists.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "headers",
    hdrs = glob(["include/absl/**/*.h", "include/absl/**/*.inc"]),
    includes = ["include"],
)

cc_library(
    name = "strings",
    linkopts = %{PKG:strings},
    deps = [":headers"],
)

cc_library(
    name = "str_format",
    linkopts = %{PKG:str_format},
    deps = [":headers"],
)

cc_library(
    name = "status",
    linkopts = %{PKG:statusor},
    deps = [":headers"],
)

cc_library(
    name = "time",
    linkopts = %{PKG:time},
    deps = [":headers"],
)
