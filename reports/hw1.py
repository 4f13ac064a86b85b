"""Entry point of `bazel run //reports:hw1`: see analysis/report.py."""

from analysis import report

if __name__ == "__main__":
    report.main()
