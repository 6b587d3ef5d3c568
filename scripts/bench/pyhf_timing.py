"""pyhf's side of scripts/bench/pyhf-comparison.ts (our script; it imports pyhf and times it).

For each case (a workspace of ../shared/workspaces/, optionally with its signal patch, a raw
JSON patch applied to the workspace) it times, with pyhf's numpy backend and default optimizer (scipy SLSQP):

  - one `model.logpdf(pars, data)` at the suggested init: batches of at least `--seconds`,
    the median over `--repeats` batches, after one warm-up call;
  - one full MLE `pyhf.infer.mle.fit(data, model)` from the suggested init: the median over
    `--fits` fits, after one warm-up fit;

and prints one JSON object per line: {"case", "logpdf_seconds", "fit_seconds", "nll_init",
"nll_fit", "fits", "versions"}. Run it through the TypeScript script, which prints both sides:

  PYHF_SRC=/path/to/pyhf/src npx tsx scripts/bench/pyhf-comparison.ts
"""

import argparse
import json
import os
import statistics
import sys
import time

import jsonpatch
import numpy as np
import scipy

import pyhf

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "workspaces"))


def read(name):
    with open(os.path.join(WORKSPACES, name), encoding="utf-8") as f:
        return json.load(f)


def model_of(case):
    spec = read(case["workspace"])
    if case.get("patch"):
        spec = jsonpatch.apply_patch(spec, read(case["patch"]))
    workspace = pyhf.Workspace(spec)
    model = workspace.model()
    return model, np.asarray(workspace.data(model), dtype=float)


def time_logpdf(model, data, seconds, repeats):
    pars = np.asarray(model.config.suggested_init(), dtype=float)
    model.logpdf(pars, data)
    batches = []
    for _ in range(repeats):
        count = 0
        t0 = time.perf_counter()
        while True:
            model.logpdf(pars, data)
            count += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds:
                break
        batches.append(elapsed / count)
    return statistics.median(batches), float(-model.logpdf(pars, data)[0])


def time_fit(model, data, fits):
    pyhf.infer.mle.fit(data, model)
    times = []
    value = None
    for _ in range(fits):
        t0 = time.perf_counter()
        _, twice_nll = pyhf.infer.mle.fit(data, model, return_fitted_val=True)
        times.append(time.perf_counter() - t0)
        value = float(twice_nll) / 2
    return statistics.median(times), value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", required=True, help="JSON list of {name, workspace, patch?}")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fits", type=int, default=3)
    args = parser.parse_args()
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer())
    versions = {"pyhf": pyhf.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0]}
    for case in json.loads(args.cases):
        model, data = model_of(case)
        logpdf_seconds, nll_init = time_logpdf(model, data, args.seconds, args.repeats)
        fit_seconds, nll_fit = time_fit(model, data, args.fits)
        print(
            json.dumps(
                {
                    "case": case["name"],
                    "logpdf_seconds": logpdf_seconds,
                    "fit_seconds": fit_seconds,
                    "nll_init": nll_init,
                    "nll_fit": nll_fit,
                    "fits": args.fits,
                    "versions": versions,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
