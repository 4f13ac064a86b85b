# LibTorch: Debian's libtorch-dev 1.13 (CPU, oneDNN) by default, or the build under
# $LIBTORCH_HOME: LibTorch 2 from third_party/install_libtorch2.sh (--config=libtorch2),
# or e.g. a CUDA build of the cxx11-ABI LibTorch unpacked in /opt/libtorch.
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "libtorch",
    hdrs = glob(["include/**/*.h", "include/**/*.hpp", "include/**/*.cuh"]),
    includes = [
        "include",
        "include/torch/csrc/api/include",
    ],
    # --no-as-needed: the CUDA and CPU kernels register themselves from static
    # initialisers; nothing references those libraries by symbol.
    linkopts = [
        "-L%{LIB_DIR}",
        "-Wl,-rpath,%{LIB_DIR}",
        "-Wl,--push-state,--no-as-needed",
    ] + %{OPTIONAL_LIBS} + [
        "-ltorch_cpu",
        "-lc10",
        "-Wl,--pop-state",
        "-lpthread",
    ],
)
