"""Benchmarks hybridlint on generated repositories of 10k, 100k and 1M recipients, side by side in one run
with a parse-only baseline (the toml crate alone, same files, same threads) and a Python tomllib peer
doing only the duplicate-address check. Prints wall time, peak RSS and recipients per second, and the
ratios. Needs only the Rust toolchain and Python 3.11+.

    python3 bench/run.py                  # 10k, 100k and 1M recipients
    python3 bench/run.py --sizes 10000    # chosen sizes
    python3 bench/run.py --smoke          # 2,000 recipients once, no timing (what CI runs)
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "target" / "release"


def measure(command, repeat):
    """The fastest of `repeat` runs, its peak RSS, and the slowest run's time (the spread)."""
    results = [run_with_rusage(command) for _ in range(repeat)]
    seconds, rss = min(results, key=lambda r: r[0])
    return seconds, rss, max(r[0] for r in results)


def run_with_rusage(command):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(map(str, command))} failed with {code}: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def write_export(path, rows):
    """A Get-Recipient CSV export as PowerShell 7 writes it."""
    import csv
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(["Name", "RecipientTypeDetails", "Alias", "UserPrincipalName", "DisplayName", "Department", "EmailAddresses", "ExchangeGuid"])
        for i in range(rows):
            name = f"u{i:07}"
            addresses = f"SMTP:{name}@contoso.com;smtp:{name}@contoso.mail.onmicrosoft.com;X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={name}"
            writer.writerow([name, "UserMailbox", name, f"{name}@contoso.com", f"User {i}", "Sales", addresses, "5d2a7b1e-8c3f-4e6a-9b0d-2f1e3c4a5b6d"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--no-peer", action="store_true", help="skip the Python peer")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the import benchmark (0: skip)")
    args = parser.parse_args()
    sizes = [2_000] if args.smoke else args.sizes
    repeat = 1 if args.smoke else args.repeat

    subprocess.run(["cargo", "build", "--release", "--quiet", "--features", "dev", "--bins"], cwd=ROOT, check=True)
    print(f"machine: {os.cpu_count()} cores; hybridlint check --format json > /dev/null; best of {repeat} (and the slowest)")
    print(f"{'recipients':>10}  {'tool':<14} {'wall s':>8} {'slowest':>8} {'peak MiB':>9} {'recipients/s':>13}  ratio")
    rows = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            corpus = pathlib.Path(scratch) / f"c{size}"
            subprocess.run([TARGET / "gen-corpus", "--recipients", str(size), "--out", corpus], check=True, stderr=subprocess.DEVNULL)
            tools = {
                "hybridlint": [TARGET / "hybridlint", "check", corpus, "--format", "json"],
                "parse-only": [TARGET / "parse-baseline", corpus],
            }
            if not args.no_peer and not args.smoke:
                tools["python-tomllib"] = [sys.executable, ROOT / "bench" / "peer_tomllib.py", corpus]
            results = {name: measure(command, repeat) for name, command in tools.items()}
            rows[size] = results
            base = results["hybridlint"][0]
            for name, (seconds, rss, slowest) in results.items():
                ratio = "" if name == "hybridlint" else f"{seconds / base:.2f}x hybridlint's time"
                if args.smoke:
                    print(f"{size:>10}  {name:<14} {'-':>8} {'-':>8} {rss:>9.0f} {'-':>13}")
                else:
                    print(f"{size:>10}  {name:<14} {seconds:>8.3f} {slowest:>8.3f} {rss:>9.0f} {size / seconds:>13,.0f}  {ratio}")
    if not args.smoke and args.import_rows:
        with tempfile.TemporaryDirectory() as scratch:
            export = pathlib.Path(scratch) / "export.csv"
            write_export(export, args.import_rows)
            seconds, rss, _ = measure([TARGET / "hybridlint", "import", "--from", "csv", "--on-premises", export, "--out", pathlib.Path(scratch) / "out", "--force"], 1)
            print(f"import of a {args.import_rows:,}-row Get-Recipient CSV: {seconds:.2f} s, {rss:.0f} MiB peak")
    if len(rows) > 1 and not args.smoke:
        ordered = sorted(rows)
        for small, large in zip(ordered, ordered[1:]):
            factor = rows[large]["hybridlint"][0] / rows[small]["hybridlint"][0]
            print(f"time({large}) / time({small}) = {factor:.1f} for {large / small:.0f}x the recipients")
    if args.smoke:
        print("smoke run: ok")


if __name__ == "__main__":
    main()
