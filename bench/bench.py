"""`make bench`: how long synthesis takes and how much memory it needs. A benchmark, not a test.

For each command: wall time (median and best of RUNS, after one warm-up run) and peak resident
memory of the whole process tree (Python, the jsii Node process, the cdktf CLI), sampled every
SAMPLE_S seconds. The floor is what every synth pays before doing any work: Python start,
`import cdktf`, and loading the AWS provider's jsii assembly.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SAMPLE_S = 0.01

# The floor reuses constructs_lib/aws.py (loaded as a plain file, without the rest of
# constructs_lib) to register the provider package without its 2200-module __init__.
FLOOR = """
import importlib.util, sys
import cdktf
spec = importlib.util.spec_from_file_location("provider_bindings", "constructs_lib/aws.py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
import cdktf_cdktf_provider_aws._jsii
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak summed RSS bytes of the process tree) of one run."""
    start = time.perf_counter()
    process = psutil.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            try:
                total += member.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, total)
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return wall, peak


def bench(label: str, command: list[str], env: dict[str, str]) -> dict:
    measure(command, env)  # warm-up: bytecode and file caches
    runs = [measure(command, env) for _ in range(RUNS)]
    walls = [w for w, _ in runs]
    return {
        "label": label,
        "median": statistics.median(walls),
        "best": min(walls),
        "peak_mib": max(p for _, p in runs) / 2**20,
    }


TENANTS = 100


def many_tenants(directory: Path) -> Path:
    """config/staging.toml with TENANTS more declared tenants (an app client, a role and two
    alarms each), alone in `directory`."""
    directory.mkdir()
    staging = (ROOT / "config" / "staging.toml").read_text(encoding="utf-8")
    extra = "".join(f'\n[[tenants]]\nid = "tenant-{n:03d}"\n' for n in range(TENANTS))
    (directory / "staging.toml").write_text(staging + extra, encoding="utf-8")
    return directory


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="mcp-bench-"))
    env = {**os.environ, "CDKTF_OUTDIR": str(out / "python"), "CHECKPOINT_DISABLE": "1"}
    tenants_env = {**env, "MCP_CONFIG_DIR": str(many_tenants(out / "tenants")), "CDKTF_OUTDIR": str(out / "tenants-out")}
    python = sys.executable
    cdktf = str(ROOT / "node_modules" / ".bin" / "cdktf")
    rows = [
        bench("floor: python + import cdktf + aws assembly", [python, "-c", FLOOR], env),
        bench("python main.py (3 stacks)", [python, "main.py"], env),
        bench(f"python main.py (staging, {TENANTS + 2} tenants)", [python, "main.py"], tenants_env),
        bench("cdktf synth (3 stacks)", [cdktf, "synth", "--output", str(out / "cli")], env),
    ]
    floor = rows[0]["median"]
    print(f"{os.cpu_count()} CPUs, {RUNS} runs after one warm-up; peak = summed RSS of all processes")
    print()
    print(f"| {'command':<44} | median s | best s | x floor | peak MiB |")
    print(f"|{'-' * 46}|---------:|-------:|--------:|---------:|")
    for row in rows:
        print(
            f"| {row['label']:<44} | {row['median']:8.2f} | {row['best']:6.2f} "
            f"| {row['median'] / floor:7.2f} | {row['peak_mib']:8.0f} |"
        )


if __name__ == "__main__":
    main()
