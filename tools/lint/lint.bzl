"""lint_tests(): formatting and lint as a test, one per package (after Drake's add_lint_tests()).

Called at the end of a BUILD file, it adds `:lint`, an sh_test over the package's C++ (`*.cc`,
`*.h`: clang-format with the root .clang-format) and Python (`*.py`: black and flake8 with the
root pyproject.toml and .flake8), so that `bazel test //...` fails on unformatted code.
"""

CONFIGS = ["//:.clang-format", "//:.flake8", "//:pyproject.toml"]

def lint_tests(name = "lint"):
    files = native.glob(["*.cc", "*.h", "*.py"])
    if not files:
        return
    native.sh_test(
        name = name,
        size = "small",
        srcs = ["//tools/lint:lint_test.sh"],
        args = ["$(rootpath :%s)" % f for f in files],
        data = files + CONFIGS,
        tags = ["lint"],
    )
