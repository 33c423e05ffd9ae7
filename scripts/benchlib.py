"""What the benchmark scripts share: running one measured command and keeping the best of N."""
import re
import subprocess
import sys
import time


def run_figures(cmd, pattern, stream="stdout", require=None, timeout=600):
    """Runs cmd (stdin closed) and returns (wall seconds, the match of `pattern` in its `stream`,
    the completed process). Exits with the output's tail when the command fails, the pattern is
    missing, or `require` (a string its stdout must contain) is not there."""
    start = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                       timeout=timeout)
    seconds = time.perf_counter() - start
    m = re.search(pattern, getattr(p, stream))
    if p.returncode != 0 or not m or (require and require not in p.stdout):
        sys.exit(f"{' '.join(map(str, cmd))}: failed (exit {p.returncode})\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
    return seconds, m, p


def best_of(repeat, measure, key=lambda x: x):
    """The best (smallest by `key`) of `repeat` calls of measure()."""
    return min((measure() for _ in range(repeat)), key=key)
