# What scripts/bench.d/eval times a run with, shared by its Python parts (`best` and `turns`).
import resource
import subprocess
import time


def timed(run, usage):
    """(wall seconds, CPU seconds, output) of run(), a callable returning the count as text. The CPU
    is user + system of `usage`: resource.RUSAGE_CHILDREN for a process, RUSAGE_SELF for a query
    run in this Python."""
    before = resource.getrusage(usage)
    began = time.perf_counter()
    out = run()
    wall = time.perf_counter() - began
    after = resource.getrusage(usage)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, out


def process(cmd):
    """timed() of a whole process; its standard output is the count."""
    return timed(lambda: subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout.decode().strip(),
                 resource.RUSAGE_CHILDREN)


def result_line(name, runs):
    """The results file's line: name, best wall time, the outputs seen, least CPU."""
    return (f"{name}\t{min(t for t, _, _ in runs):.3f}\t{'/'.join(sorted({o for _, _, o in runs}))}"
            f"\t{min(c for _, c, _ in runs):.3f}")
