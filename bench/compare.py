#!/usr/bin/python3
"""morel against ONNX Runtime on the benchmark models, in one run.

For each model and thread count: rounds of `morel bench` on NAME.mlmodel and
ort_bench.js on NAME.onnx, alternating, each timing ITERS predictions after
WARMUP; the reported time is the median of the rounds' medians. Peak RSS of
each process is taken with /usr/bin/time. Prints a table and writes it, with
the machine's load before and after, to the results file.

Usage: compare.py --morel BIN --models DIR --ort-bench JS --out FILE
                  [--names a,b,...] [--threads 1,2] [--iters 30] [--warmup 5] [--rounds 3]
"""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, peak RSS in bytes)."""
    r = subprocess.run(['/usr/bin/time', '-f', 'MAXRSS_KB %M'] + cmd, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit('failed: %s\n%s' % (' '.join(cmd), r.stderr))
    rss = 0
    for line in r.stderr.splitlines():
        if line.startswith('MAXRSS_KB '):
            rss = int(line.split()[1]) * 1024
    return r.stdout, rss


def load():
    return '%.2f %.2f %.2f' % os.getloadavg()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--morel', required=True)
    ap.add_argument('--models', required=True)
    ap.add_argument('--ort-bench', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--names', default='squeezenet1_1,mobilenet_v2,resnet18,resnet50,'
                    'shufflenet_v2_x1_0,efficientnet_b0')
    ap.add_argument('--threads', default='1,2')
    ap.add_argument('--iters', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--rounds', type=int, default=3)
    a = ap.parse_args()

    load_before = load()
    started = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
    node_rss = timed(['node', '-e', ''])[1]
    rows = []
    for threads in [int(t) for t in a.threads.split(',')]:
        for name in a.names.split(','):
            mlmodel = os.path.join(a.models, name + '.mlmodel')
            onnx = os.path.join(a.models, name + '.onnx')
            if not os.path.exists(mlmodel):
                print('skipping %s: %s is missing' % (name, mlmodel), file=sys.stderr)
                continue
            morel, ort = [], []
            for _ in range(a.rounds):
                out, rss = timed([a.morel, 'bench', mlmodel, '--json', '--threads', str(threads),
                                  '--iters', str(a.iters), '--warmup', str(a.warmup)])
                j = json.loads(out)
                j['rss'] = rss
                morel.append(j)
                out, rss = timed(['node', a.ort_bench, '--threads', str(threads), '--iters',
                                  str(a.iters), '--warmup', str(a.warmup), onnx])
                j = json.loads(out.strip().splitlines()[-1])
                j['rss'] = rss
                ort.append(j)
            row = {
                'model': name, 'threads': threads,
                'morel_ms': statistics.median(r['median_ms'] for r in morel),
                'morel_p90_ms': statistics.median(r['p90_ms'] for r in morel),
                'ort_ms': statistics.median(r['median_ms'] for r in ort),
                'load_ms': statistics.median(r['load_ms'] for r in morel),
                'first_ms': statistics.median(r['first_prediction_ms'] for r in morel),
                'morel_rss': max(r['rss'] for r in morel),
                'ort_rss': max(r['rss'] for r in ort),
            }
            row['ratio'] = row['ort_ms'] / row['morel_ms']
            rows.append(row)
            print('%-20s %d thr  morel %8.2f ms  ORT %8.2f ms  ratio %.2f  RSS %4.0f / %4.0f MiB'
                  % (name, threads, row['morel_ms'], row['ort_ms'], row['ratio'],
                     row['morel_rss'] / 2**20, row['ort_rss'] / 2**20), flush=True)
    load_after = load()
    if not rows:
        raise SystemExit('no model was benchmarked')
    geomean = math.exp(sum(math.log(r['ratio']) for r in rows) / len(rows))

    lines = [
        '# morel vs ONNX Runtime (CPU)',
        '',
        'Written by `make bench` (scripts/bench.sh, bench/compare.py) on %s.' % started,
        '',
        '- Machine: %s, %d CPUs; load average before %s, after %s.'
        % (platform.processor() or platform.machine(), os.cpu_count(), load_before, load_after),
        '- Each cell: median of %d rounds, each the median of %d predictions after %d warm-up; '
        'morel and ORT alternate round by round on the same input values.'
        % (a.rounds, a.iters, a.warmup),
        '- Ratio = ORT time / morel time (above 1: morel is faster). Peak RSS of each process; '
        "ORT's runs inside node, which alone peaks at %.0f MiB." % (node_rss / 2**20),
        '- Load = reading + validating + optimizing the .mlmodel; first = the first prediction, '
        'which plans (kernels, weight layouts, memory).',
        '',
        '| model | threads | morel ms | ORT ms | ratio | morel p90 ms | load ms | first ms '
        '| morel RSS MiB | ORT RSS MiB |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for r in rows:
        lines.append('| %s | %d | %.2f | %.2f | **%.2f** | %.2f | %.1f | %.1f | %.0f | %.0f |' % (
            r['model'], r['threads'], r['morel_ms'], r['ort_ms'], r['ratio'], r['morel_p90_ms'],
            r['load_ms'], r['first_ms'], r['morel_rss'] / 2**20, r['ort_rss'] / 2**20))
    lines += ['', 'Geometric mean of the ratios: **%.2f** (%d cells).' % (geomean, len(rows)), '']
    with open(a.out, 'w') as f:
        f.write('\n'.join(lines))
    print('\ngeomean ratio %.2f; wrote %s' % (geomean, a.out))


if __name__ == '__main__':
    main()
