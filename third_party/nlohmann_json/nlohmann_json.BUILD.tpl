# nlohmann/json 3.11 (Debian nlohmann-json3-dev): header-only; run manifests.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "json",
    hdrs = glob(["include/nlohmann/**/*.hpp"]),
    includes = ["include"],
)
