"""Shared pieces for the extra2 limit scripts (structure taken from
/work/corpus/extra/limits_3L.py: one hypotest per mu gives all six CLs curves,
cached by mu; each curve's CLs=0.05 crossing is bracketed on a grid and refined
with scipy.optimize.brentq(xtol=1e-8, rtol=1e-10))."""

import platform
import sys
import time
import warnings

import numpy as np
import scipy
import scipy.optimize

import pyhf

PYHF_COMMIT = "b3dc4bb20a5ee8495718bba1efaa86e9f9fce074"
CLS_LEVEL = 0.05
CURVE_NAMES = ["observed", "exp_-2sigma", "exp_-1sigma", "exp_median",
               "exp_+1sigma", "exp_+2sigma"]


def versions():
    return {
        "pyhf": pyhf.__version__,
        "pyhf_commit": PYHF_COMMIT,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": sys.version,
        "platform": platform.platform(),
    }


class CLsCache:
    def __init__(self, data, model, **hypotest_kwargs):
        self.data = data
        self.model = model
        self.kwargs = hypotest_kwargs
        self.cache = {}
        self.caught = []
        self.times = []

    def __call__(self, mu):
        """[obs, exp0..exp4] CLs at mu, cached by mu."""
        mu = float(mu)
        if mu not in self.cache:
            t = time.perf_counter()
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                obs, exp = pyhf.infer.hypotest(
                    mu, self.data, self.model, test_stat="qtilde",
                    return_expected_set=True, **self.kwargs)
            for item in w:
                self.caught.append({"mu": mu, "warning": str(item.message)})
            self.cache[mu] = [float(obs)] + [float(e) for e in exp]
            self.times.append(time.perf_counter() - t)
        return self.cache[mu]


def grid_and_brentq(all_cls, grid_mus, label=""):
    """Exactly the limits_3L.py stages 1+2. Returns (grid, limits, root_info, seconds)."""
    seconds = {}
    t = time.perf_counter()
    grid = {}
    for mu in grid_mus:
        grid[mu] = all_cls(mu)
        print(f"{label} grid mu={mu}: " + " ".join(f"{c:.6g}" for c in grid[mu]),
              flush=True)
    seconds["grid"] = time.perf_counter() - t
    print(f"{label} grid done in {seconds['grid']:.1f} s", flush=True)

    t = time.perf_counter()
    limits = []
    root_info = []
    for k, name in enumerate(CURVE_NAMES):
        vals = [grid[mu][k] - CLS_LEVEL for mu in grid_mus]
        bracket = None
        for i in range(len(grid_mus) - 1):
            if vals[i] == 0.0:
                bracket = (grid_mus[i], grid_mus[i])
                break
            if vals[i] * vals[i + 1] < 0:
                bracket = (grid_mus[i], grid_mus[i + 1])
                break
        crossings = [[grid_mus[i], grid_mus[i + 1]] for i in range(len(grid_mus) - 1)
                     if vals[i] * vals[i + 1] < 0]
        if bracket is None:
            limits.append(None)
            root_info.append({"curve": name, "bracket": None,
                              "n_sign_changes_on_grid": 0,
                              "note": "no sign change of CLs-0.05 on grid"})
            print(f"{label} {name}: no sign change on grid", flush=True)
            continue
        n_before = len(all_cls.cache)
        if bracket[0] == bracket[1]:
            root, conv = bracket[0], None
        else:
            root, res = scipy.optimize.brentq(
                lambda mu, k=k: all_cls(mu)[k] - CLS_LEVEL,
                bracket[0], bracket[1], xtol=1e-8, rtol=1e-10,
                full_output=True)
            conv = {"converged": bool(res.converged),
                    "iterations": int(res.iterations),
                    "function_calls": int(res.function_calls)}
        limits.append(float(root))
        cls_root = all_cls(root)[k]
        root_info.append({
            "curve": name, "bracket": list(bracket),
            "n_sign_changes_on_grid": len(crossings),
            "sign_change_intervals": crossings,
            "cls_at_bracket_ends": [all_cls(bracket[0])[k], all_cls(bracket[1])[k]],
            "new_hypotests": len(all_cls.cache) - n_before,
            "brentq": conv,
            "cls_at_root": cls_root,
            "root_is_continuous_crossing": abs(cls_root - CLS_LEVEL) < 1e-4,
        })
        print(f"{label} {name}: limit {root:.10f} (bracket {bracket}, "
              f"CLs {cls_root:.10g})", flush=True)
    seconds["brentq"] = time.perf_counter() - t
    return grid, limits, root_info, seconds
