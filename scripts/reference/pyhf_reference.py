"""Reference numbers from pyhf itself for the pyhf importer, CLs and limits (issue #5).

Our script (not pyhf's code): it imports pyhf, run from its source with numpy and scipy,
and writes what pyhf computes on the published workspaces in ../shared/workspaces/ into
test/fixtures/pyhf/reference/. The tests in test/models/pyhf/ compare our TypeScript with
these numbers.

  digests    pyhf.utils.digest (sha256) of each background-only workspace and of pyhf's
             documented example object -> reference/digests.json
  reference  for every case, with pyhf's numpy backend and its default optimizer (scipy
             SLSQP): -logpdf at several points, the MLE (default tolerance and a tight one),
             CLs with the asymptotic calculator (qtilde, and q once) with the expected band,
             the 95% CLs upper limit (toms748_scan) and two-sided profile-likelihood
             intervals (our brentq over pyhf fits). A signal patch (the workspace's
             *.patch.json) is applied as pyhf applies a patch of a patchset: PatchSet.apply,
             which verifies the sha256 digest of the background-only workspace first.

  PYTHONPATH=/tmp/pyhf-src/src python3 scripts/reference/pyhf_reference.py digests
  npx tsx scripts/reference/export-polynomial.ts /tmp/exported_polynomial.json
  PYTHONPATH=/tmp/pyhf-src/src python3 scripts/reference/pyhf_reference.py reference \
      [--exported /tmp/exported_polynomial.json] [case ...]
"""

import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.optimize
import scipy.stats

import pyhf
from pyhf.infer.intervals.upper_limits import toms748_scan

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "workspaces"))
REFERENCE = os.path.join(ROOT, "test", "fixtures", "pyhf", "reference")
EXPORTED = {"path": "/tmp/exported_polynomial.json"}

# case name -> (workspace, patch name or None, options); a patched case applies ../shared/workspaces/<workspace>.patch.json.
# (The reference files of the first runs name their inputs "<workspace>.json.gz" and "<workspace>.patchset.json.gz":
# the same bytes, then gzipped in the repository, and a patchset holding that same patch.)
CASES = {
    "shapesys_2bin": ("pyhf_2bin_1channel_shapesys", None, {"intervals": ["mu", "uncorr_bkguncrt[1]"]}),
    "coupledshapefactor": ("pyhf_validation_2bin_2channel_coupledshapefactor", None, {"intervals": ["mu", "coupled_shapefactor[0]"]}),
    "sbottom_bkg": ("atlas_sbottom_RegionA", None, {"poi": None}),
    "sbottom_1300_205_60": ("atlas_sbottom_RegionA", "sbottom_1300_205_60", {"intervals": ["mu_SIG", "mu_ttbar"]}),
    "1Lbb_bkg": ("atlas_1Lbb", None, {"poi": None}),
    "1Lbb_700_150": ("atlas_1Lbb", "C1N2_Wh_hbb_700_150", {"intervals": ["mu_SIG"]}),
    # written by our exporter (models/pyhf/export.ts exportWorkspace) from a model with a polynomial signal
    "exported_polynomial": (None, None, {"poi": None}),
}

TIGHT = 1e-12  # scipy SLSQP ftol for the "tight" MLE


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def patchset_of(workspace_name, workspace, patch_name):
    """The workspace's published signal patch as a one-patch pyhf patchset, with pyhf's own digest."""
    return pyhf.PatchSet(
        {
            "metadata": {
                "description": f"{patch_name} on {workspace_name}",
                "digests": {"sha256": pyhf.utils.digest(workspace, "sha256")},
                "labels": ["point"],
                "references": {"hepdata": "ins0000000"},
            },
            "patches": [{"metadata": {"name": patch_name, "values": [0]}, "patch": read_json(os.path.join(SHARED, workspace_name + ".patch.json"))}],
            "version": "1.0.0",
        }
    )


def digests(_args):
    out = {"example": {"object": {"a": 2.0, "b": 3.0, "c": 1.0}, "sha256": pyhf.utils.digest({"a": 2.0, "b": 3.0, "c": 1.0}, "sha256")}}
    for name in ["atlas_sbottom_RegionA", "atlas_1Lbb", "pyhf_2bin_1channel_shapesys", "pyhf_validation_2bin_2channel_coupledshapefactor"]:
        out[name] = pyhf.utils.digest(read_json(os.path.join(SHARED, name + ".json")), "sha256")
    with open(os.path.join(REFERENCE, "digests.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(out))


def set_optimizer(tolerance=None):
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=tolerance))


def named(model, values):
    return {n: float(v) for n, v in zip(model.config.par_names, values)}


def nll(model, pars, data):
    return float(-model.logpdf(np.asarray(pars, dtype=float), data)[0])


def random_points(model, data, rng, scales):
    """Points around the suggested init, each parameter moved by scale * its natural width, inside its bounds."""
    init = np.asarray(model.config.suggested_init(), dtype=float)
    bounds = np.asarray(model.config.suggested_bounds(), dtype=float)
    width = np.full(len(init), 0.2)
    for name in model.config.par_order:
        sl = model.config.par_slice(name)
        ps = model.config.param_set(name)
        if getattr(ps, "pdf_type", None) == "normal":
            width[sl] = np.asarray(ps.width(), dtype=float)
        elif getattr(ps, "pdf_type", None) == "poisson":
            width[sl] = np.asarray(ps.width(), dtype=float)
    out = []
    for label, scale in scales:
        for _attempt in range(100):
            p = init + scale * width * rng.standard_normal(len(init))
            p = np.clip(p, bounds[:, 0] + 1e-6 * (bounds[:, 1] - bounds[:, 0]), bounds[:, 1])
            value = nll(model, p, data)
            if np.isfinite(value):
                out.append((label, p, value))
                break
        else:
            raise RuntimeError(f"no finite point for {label}")
    return out


def fit(model, data, tolerance=None, init=None, fixed=None):
    set_optimizer(tolerance)
    t0 = time.perf_counter()
    pars, twice = pyhf.infer.mle.fit(data, model, init_pars=init, fixed_params=fixed, return_fitted_val=True)
    return np.asarray(pars, dtype=float), float(twice) / 2, time.perf_counter() - t0


def hypotest(model, data, mu, test_stat):
    set_optimizer(None)
    cls, tails, band, calc = pyhf.infer.hypotest(
        mu, data, model, test_stat=test_stat, return_tail_probs=True, return_expected_set=True, return_calculator=True
    )
    fp = calc.fitted_pars
    return {
        "mu": mu,
        "test_stat": test_stat,
        "cls": float(cls),
        "clsb": float(tails[0]),
        "clb": float(tails[1]),
        "expected": [float(x) for x in band],
        "sqrt_qmu_A": float(calc.sqrtqmuA_v),
        "nll_fixed_data": nll(model, fp.fixed_poi_fit_to_data, data),
        "nll_free_data": nll(model, fp.free_fit_to_data, data),
        "mu_hat_data": float(fp.free_fit_to_data[model.config.poi_index]),
    }


def profile_interval(model, data, parameter, cls, tolerance=1e-10):
    """Two-sided profile-likelihood interval {v : 2 (NLL(v, profiled) - NLL_min) < chi2_1(cl)}; our brentq over pyhf fits."""
    index = model.config.par_names.index(parameter)
    bounds = model.config.suggested_bounds()
    fixed0 = list(model.config.suggested_fixed())
    best, nll_min, _ = fit(model, data, tolerance)
    lo, hi = bounds[index]

    def profiled(v):
        start = list(best)
        start[index] = v
        fixed = list(fixed0)
        fixed[index] = True
        _, value, _ = fit(model, data, tolerance, init=start, fixed=fixed)
        return value

    result = []
    for cl in cls:
        threshold = float(scipy.stats.chi2.ppf(cl, 1))
        f = lambda v: 2 * (profiled(v) - nll_min) - threshold  # noqa: E731
        ends = []
        for side, edge in [(-1, lo), (1, hi)]:
            x0 = best[index]
            step = 0.1 * max(abs(x0), 0.1)
            x1 = x0
            found = None
            while True:
                x_next = x1 + side * step
                if (side < 0 and x_next <= edge) or (side > 0 and x_next >= edge):
                    x_next = edge
                if f(x_next) > 0:
                    found = scipy.optimize.brentq(f, x1, x_next, xtol=1e-9, rtol=1e-10) if x1 != x_next else x_next
                    break
                if x_next == edge:
                    break
                x1 = x_next
                step *= 2
            ends.append(found)
        result.append({"cl": cl, "threshold": threshold, "lower": ends[0], "upper": ends[1], "best": float(best[index]), "nll_min": nll_min})
    return {"parameter": parameter, "intervals": result, "optimizer_tolerance": tolerance}


def load_case(name):
    ws_name, patch_name, options = CASES[name]
    if ws_name is None:
        spec = read_json(EXPORTED["path"])
        workspace = pyhf.Workspace(spec)
    else:
        spec = read_json(os.path.join(SHARED, ws_name + ".json"))
        workspace = pyhf.Workspace(spec)
        if patch_name:
            workspace = patchset_of(ws_name, spec, patch_name).apply(workspace, patch_name)  # verifies the digest
    poi = options.get("poi", "default")
    model = workspace.model() if poi == "default" else workspace.model(poi_name=poi)
    data = np.asarray(workspace.data(model), dtype=float)
    return workspace, model, data, options


def reference_case(name):
    t_start = time.perf_counter()
    ws_name, patch_name, _ = CASES[name]
    workspace, model, data, options = load_case(name)
    rng = np.random.default_rng(20260805)
    cfg = model.config
    out = {
        "case": name,
        "workspace": f"{ws_name}.json" if ws_name else "exported_polynomial.json",
        "patchset": f"{ws_name}.patch.json" if patch_name else None,
        "patch": patch_name,
        "poi": cfg.poi_name,
        "par_names": list(cfg.par_names),
        "channels": list(cfg.channels),
        "samples": list(cfg.samples),
        "init": named(model, cfg.suggested_init()),
        "bounds": {n: [float(b[0]), float(b[1])] for n, b in zip(cfg.par_names, cfg.suggested_bounds())},
        "fixed": {n: bool(f) for n, f in zip(cfg.par_names, cfg.suggested_fixed())},
        "data": [float(x) for x in data[: cfg.nmaindata]],
        "auxdata": [float(x) for x in cfg.auxdata],
        "expected_at_init": [float(x) for x in model.expected_actualdata(cfg.suggested_init())],
    }
    points = [("init", np.asarray(cfg.suggested_init(), dtype=float), nll(model, cfg.suggested_init(), data))]
    points += random_points(model, data, rng, [("near", 0.3), ("far", 1.5), ("farther", 2.5)])

    best_default, nll_default, t_default = fit(model, data, None)
    best_tight, nll_tight, t_tight = fit(model, data, TIGHT)
    points.append(("pyhf_mle", best_tight, nll(model, best_tight, data)))
    out["nll_points"] = [{"label": label, "pars": named(model, p), "nll": value} for label, p, value in points]
    out["mle"] = {
        "default": {"pars": named(model, best_default), "nll": nll_default, "seconds": t_default, "tolerance": None},
        "tight": {"pars": named(model, best_tight), "nll": nll_tight, "seconds": t_tight, "tolerance": TIGHT},
    }
    print(name, "mle done", round(time.perf_counter() - t_start, 1), "s", flush=True)

    if cfg.poi_name is not None:
        set_optimizer(None)
        lo, hi = cfg.suggested_bounds()[cfg.poi_index]
        t0 = time.perf_counter()
        obs, exp = toms748_scan(data, model, lo, hi, level=0.05, rtol=1e-6)
        out["upper_limit"] = {
            "level": 0.05,
            "observed": float(obs),
            "expected": [float(x) for x in exp],
            "method": "pyhf.infer.intervals.upper_limits.toms748_scan(data, model, poi_lower_bound, poi_upper_bound, level=0.05, rtol=1e-6), default optimizer",
            "seconds": time.perf_counter() - t0,
        }
        print(name, "limit", float(obs), round(time.perf_counter() - t_start, 1), "s", flush=True)
        mus = sorted({round(0.5 * float(obs), 4), round(float(obs), 4), round(2 * float(obs), 4), 1.0})
        mus = [m for m in mus if lo < m <= hi]
        out["hypotests"] = [hypotest(model, data, mu, "qtilde") for mu in mus]
        out["hypotests"].append(hypotest(model, data, round(float(obs), 4), "q"))
        print(name, "hypotests done", round(time.perf_counter() - t_start, 1), "s", flush=True)

    out["intervals"] = [profile_interval(model, data, p, [0.6827, 0.95]) for p in options.get("intervals", [])]
    out["seconds_total"] = time.perf_counter() - t_start
    os.makedirs(REFERENCE, exist_ok=True)
    with open(os.path.join(REFERENCE, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(name, "written", round(out["seconds_total"], 1), "s", flush=True)


def versions():
    return {"pyhf": pyhf.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("digests")
    r = sub.add_parser("reference")
    r.add_argument("--exported", default=EXPORTED["path"], help="the workspace written by scripts/reference/export-polynomial.ts")
    r.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    print("versions", json.dumps(versions()), flush=True)
    if args.command == "digests":
        digests(args)
    else:
        EXPORTED["path"] = args.exported
        for name in args.cases:
            reference_case(name)

if __name__ == "__main__":
    main()
