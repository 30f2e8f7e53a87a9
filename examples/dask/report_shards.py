#!/usr/bin/env python3
"""The report of a dataset split in shards, computed as tasks of a Dask cluster.

Each task runs `focalscope report SHARD --state-out STATE` on a worker, where the shard is (a shared file
system, or object storage mounted there), and returns the state file's text: a few KB, the only thing that
crosses the network. The client writes the states to --states-dir and runs `focalscope merge` on them,
which prints the report one run over all the shards would print (every figure within 1e-12 relative).

    python3 examples/dask/report_shards.py --workers 2 --states-dir states/ --report-flags="--gammas 0,2" shards/part-*.csv

A cluster of your own: --scheduler tcp://host:8786 instead of --workers (every worker needs focalscope).
"""
import argparse
import os
import shlex
import subprocess
import sys

from dask.distributed import Client, LocalCluster


def report_state(focalscope, shard, flags):
    """On a worker: the shard's state file, as text (the report itself is thrown away)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "shard.state.json")
        subprocess.run(
            [*focalscope, "report", shard, "--state-out", state, "--json", *flags],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(state, encoding="utf-8") as f:
            return f.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shards", nargs="+", help="the shards (CSV, Arrow or Parquet files the workers can read)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of a LocalCluster")
    parser.add_argument("--scheduler", help="the address of a running Dask scheduler, instead of a LocalCluster")
    parser.add_argument("--states-dir", required=True, help="where the client writes the shards' states")
    parser.add_argument("--focalscope", default="focalscope", help='the command, e.g. "node bin/run.cjs"')
    parser.add_argument("--report-flags", default="", help='flags of `focalscope report` for every shard, as --report-flags="--gammas 0,2"')
    parser.add_argument("--merge-flags", default="", help='flags of `focalscope merge`, as --merge-flags="--json" or --merge-flags="-o report.json"')
    args = parser.parse_args()
    flags = shlex.split(args.report_flags)
    focalscope = shlex.split(args.focalscope)
    # Paths as the workers see them: the same shared file system, whatever their working directory.
    shards = [os.path.abspath(shard) for shard in args.shards]

    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    with client:
        futures = [client.submit(report_state, focalscope, shard, flags, pure=False) for shard in shards]
        states = client.gather(futures)
        workers = len(client.scheduler_info()["workers"])
    os.makedirs(args.states_dir, exist_ok=True)
    paths = []
    for i, text in enumerate(states):
        path = os.path.join(args.states_dir, f"shard-{i:05d}.state.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths.append(path)
    print(f"focalscope: {len(paths)} shards reported on {workers} Dask workers", file=sys.stderr)
    merged = subprocess.run([*focalscope, "merge", *paths, *shlex.split(args.merge_flags)])
    sys.exit(merged.returncode)


if __name__ == "__main__":
    main()
