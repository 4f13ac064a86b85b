"""Every external dependency of hw1-repro, all from Debian packages (third_party/install_deps.sh)."""

load("//third_party:system_library.bzl", "system_library")

def hw1_dependencies():
    """Declares the system-library repositories. Call from WORKSPACE."""
    system_library(
        name = "libtorch",
        build_file = "//third_party/libtorch:libtorch.BUILD.tpl",
        root_env = "LIBTORCH_HOME",
        symlinks = {
            "include/ATen": "include/ATen",
            "include/c10": "include/c10",
            "include/caffe2": "include/caffe2",
            "include/torch": "include/torch",
        },
        # libtorch_cpu.so holds the CPU kernels and the C++ frontend in LibTorch 1.13
        # and 2; libtorch.so is a shim that third_party/install_libtorch2.sh leaves out
        # (in the CUDA wheel it pulls in libtorch_cuda.so and all of CUDA).
        probe_library = "libtorch_cpu.so",
        # Linked when present: libtorch_cuda/c10_cuda only in CUDA builds of LibTorch.
        optional_libraries = ["torch", "torch_cuda", "c10_cuda"],
    )
    system_library(
        name = "eigen",
        build_file = "//third_party/eigen:eigen.BUILD.tpl",
        symlinks = {"include/eigen3": "include/eigen3"},
    )
    system_library(
        name = "absl",
        build_file = "//third_party/absl:absl.BUILD.tpl",
        symlinks = {"include/absl": "include/absl"},
        pkg_config = {
            "strings": "absl_strings",
            "str_format": "absl_str_format",
            "statusor": "absl_statusor",
            "time": "absl_time",
        },
    )
    system_library(
        name = "gtest",
        build_file = "//third_party/gtest:gtest.BUILD.tpl",
        symlinks = {
            "include/gtest": "include/gtest",
            "include/gmock": "include/gmock",
        },
        pkg_config = {"gmock": "gmock", "gtest_main": "gtest_main"},
    )
    system_library(
        name = "benchmark",
        build_file = "//third_party/benchmark:benchmark.BUILD.tpl",
        symlinks = {"include/benchmark": "include/benchmark"},
        pkg_config = {"benchmark": "benchmark"},
    )
    system_library(
        name = "gflags",
        build_file = "//third_party/gflags:gflags.BUILD.tpl",
        symlinks = {"include/gflags": "include/gflags"},
        pkg_config = {"gflags": "gflags"},
    )
    system_library(
        name = "ginac",
        build_file = "//third_party/ginac:ginac.BUILD.tpl",
        symlinks = {
            "include/ginac": "include/ginac",
            "include/cln": "include/cln",
        },
        pkg_config = {"ginac": "ginac"},
    )
    system_library(
        name = "curl",
        build_file = "//third_party/curl:curl.BUILD.tpl",
        symlinks = {"include/curl": "include/x86_64-linux-gnu/curl"},
        pkg_config = {"curl": "libcurl"},
    )
    system_library(
        name = "libarchive",
        build_file = "//third_party/libarchive:libarchive.BUILD.tpl",
        symlinks = {
            "include/archive.h": "include/archive.h",
            "include/archive_entry.h": "include/archive_entry.h",
        },
        pkg_config = {"archive": "libarchive"},
    )
    system_library(
        name = "openssl",
        build_file = "//third_party/openssl:openssl.BUILD.tpl",
        symlinks = {
            "include/openssl": "include/openssl",
            "include_arch/openssl": "include/x86_64-linux-gnu/openssl",
        },
        pkg_config = {"crypto": "libcrypto"},
    )
    system_library(
        name = "nlohmann_json",
        build_file = "//third_party/nlohmann_json:nlohmann_json.BUILD.tpl",
        symlinks = {"include/nlohmann": "include/nlohmann"},
    )
