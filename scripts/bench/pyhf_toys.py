"""pyhf's side of scripts/bench/toys-comparison.ts (our script; it imports pyhf and times it).

For one case (a workspace of ../shared/workspaces/ with its signal patch, or `combined`: the
ATLAS sbottom and 1Lbb workspaces, each patched, as one workspace of ~190 parameters, their
measurements' parameter settings merged, mu_SIG and lumi shared), it times pyhf's toy-based
hypothesis test, `pyhf.infer.hypotest(mu, data, model, test_stat="qtilde", calctype="toybased",
ntoys=N)` (N toys under s+b and N under b, each with its two fits), with the numpy backend and
the default optimizer (scipy SLSQP), and prints one JSON line: {"case", "seconds", "toys",
"cls", "versions"}. With --write-combined PATH it only writes the combined workspace.

  PYHF_SRC=/path/to/pyhf/src npx tsx scripts/bench/toys-comparison.ts
"""

import argparse
import json
import os
import sys
import time

import jsonpatch
import numpy as np
import scipy

import pyhf

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "workspaces"))
PATCHED = {
    "sbottom": ("atlas_sbottom_RegionA.json", "atlas_sbottom_RegionA.patch.json"),
    "1Lbb": ("atlas_1Lbb.json", "atlas_1Lbb.patch.json"),
}


def read(name):
    with open(os.path.join(WORKSPACES, name), encoding="utf-8") as f:
        return json.load(f)


def patched(key):
    workspace, patch = PATCHED[key]
    return jsonpatch.apply_patch(read(workspace), read(patch))


def combined():
    """Both ATLAS workspaces as one: channels and observations side by side, one measurement whose
    parameter settings are both measurements' (the first one's where both set one: lumi)."""
    a, b = patched("sbottom"), patched("1Lbb")
    parameters = {}
    for spec in (a, b):
        for p in spec["measurements"][0]["config"]["parameters"]:
            parameters.setdefault(p["name"], p)
    return {
        "channels": a["channels"] + b["channels"],
        "observations": a["observations"] + b["observations"],
        "measurements": [{"name": "combined", "config": {"poi": "mu_SIG", "parameters": list(parameters.values())}}],
        "version": "1.0.0",
    }


def spec_of(case):
    return combined() if case == "combined" else patched(case)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", required=True, choices=["sbottom", "1Lbb", "combined"])
    parser.add_argument("--toys", type=int, default=100)
    parser.add_argument("--mu", type=float, default=1.0)
    parser.add_argument("--write-combined")
    args = parser.parse_args()
    if args.write_combined:
        with open(args.write_combined, "w", encoding="utf-8") as f:
            json.dump(combined(), f)
        return
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer())
    workspace = pyhf.Workspace(spec_of(args.case))
    model = workspace.model()
    data = np.asarray(workspace.data(model), dtype=float)
    np.random.seed(1)
    t0 = time.perf_counter()
    cls = pyhf.infer.hypotest(args.mu, data, model, test_stat="qtilde", calctype="toybased", ntoys=args.toys, track_progress=False)
    seconds = time.perf_counter() - t0
    versions = {"pyhf": pyhf.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0]}
    print(json.dumps({"case": args.case, "parameters": len(model.config.suggested_init()), "seconds": seconds, "toys": args.toys, "cls": float(cls), "versions": versions}))


if __name__ == "__main__":
    main()
