"""Reference numbers from pyhf itself for the pyhf importer, CLs and limits (issue #5).

Our script (not pyhf's code): it imports pyhf, run from its source with numpy and scipy,
and writes what pyhf computes on published workspaces into test/fixtures/pyhf/. The tests
in test/models/pyhf/ compare our TypeScript against these numbers.

Two steps:

  assemble   copies the published workspaces into test/fixtures/pyhf/workspaces/ (gzipped,
             byte-identical content) and assembles patchsets (pyhf schema 1.0.0) from real
             published signal patches, with the sha256 digest of the background-only
             workspace computed by pyhf.utils.digest.
  reference  computes, for every case, with pyhf's numpy backend and its default optimizer
             (scipy SLSQP): -logpdf at several points, the MLE (default tolerance and a tight
             one), CLs with the asymptotic calculator (qtilde, and q once) with the expected
             band, the 95% CLs upper limit (toms748_scan) and two-sided profile-likelihood
             intervals (our brentq over pyhf fits).

  PYTHONPATH=/tmp/pyhf-src/src python3 scripts/reference/pyhf_reference.py assemble \
      --shared ../shared/workspaces --sbottom-dir /tmp/sbottom/RegionA --lbb-dir /tmp/1Lbb
  PYTHONPATH=/tmp/pyhf-src/src python3 scripts/reference/pyhf_reference.py reference [case ...]
"""

import argparse
import copy
import gzip
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
FIXTURES = os.path.join(ROOT, "test", "fixtures", "pyhf")
WORKSPACES = os.path.join(FIXTURES, "workspaces")
REFERENCE = os.path.join(FIXTURES, "reference")

SBOTTOM_PATCHES = ["sbottom_1300_205_60", "sbottom_1000_205_60", "sbottom_1600_850_60"]
LBB_PATCHES = ["C1N2_Wh_hbb_700_150", "C1N2_Wh_hbb_500_0", "C1N2_Wh_hbb_900_0"]

# case name -> (workspace file, patchset file or None, patch name or None, options)
CASES = {
    "shapesys_2bin": ("pyhf_2bin_1channel_shapesys.json", None, None, {"intervals": ["mu", "uncorr_bkguncrt[1]"]}),
    "coupledshapefactor": ("pyhf_validation_2bin_2channel_coupledshapefactor.json", None, None, {"intervals": ["mu", "coupled_shapefactor[0]"]}),
    "sbottom_bkg": ("atlas_sbottom_RegionA.json.gz", None, None, {"poi": None}),
    "sbottom_1300_205_60": ("atlas_sbottom_RegionA.json.gz", "atlas_sbottom_RegionA.patchset.json.gz", "sbottom_1300_205_60", {"intervals": ["mu_SIG", "mu_ttbar"]}),
    "sbottom_1000_205_60": ("atlas_sbottom_RegionA.json.gz", "atlas_sbottom_RegionA.patchset.json.gz", "sbottom_1000_205_60", {}),
    "sbottom_1600_850_60": ("atlas_sbottom_RegionA.json.gz", "atlas_sbottom_RegionA.patchset.json.gz", "sbottom_1600_850_60", {}),
    "1Lbb_bkg": ("atlas_1Lbb.json.gz", None, None, {"poi": None}),
    "1Lbb_700_150": ("atlas_1Lbb.json.gz", "atlas_1Lbb.patchset.json.gz", "C1N2_Wh_hbb_700_150", {"intervals": ["mu_SIG"]}),
    "1Lbb_500_0": ("atlas_1Lbb.json.gz", "atlas_1Lbb.patchset.json.gz", "C1N2_Wh_hbb_500_0", {}),
    "1Lbb_900_0": ("atlas_1Lbb.json.gz", "atlas_1Lbb.patchset.json.gz", "C1N2_Wh_hbb_900_0", {}),
    # written by our exporter (models/pyhf/import.ts exportWorkspace) from a model with a polynomial signal
    "exported_polynomial": ("exported_polynomial.json", None, None, {"poi": None}),
}

TIGHT = 1e-12  # scipy SLSQP ftol for the "tight" MLE


def read_json(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def write_gz(path, text):
    # deterministic gzip (no file name, mtime 0)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(text.encode("utf-8"))


def assemble(args):
    os.makedirs(WORKSPACES, exist_ok=True)
    for name in ["pyhf_2bin_1channel_shapesys.json", "pyhf_validation_2bin_2channel_coupledshapefactor.json"]:
        with open(os.path.join(args.shared, name), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(WORKSPACES, name), "w", encoding="utf-8") as f:
            f.write(text)
    for name, patch_dir, patch_names, make_file, labels, values_of, hepdata, description in [
        (
            "atlas_sbottom_RegionA",
            args.sbottom_dir,
            SBOTTOM_PATCHES,
            lambda n: f"patch.{n}.json",
            ["m_sbottom", "m_neutralino2", "m_neutralino1"],
            lambda n: [int(v) for v in n.split("_")[1:]],
            "ins1748602",
            "ATLAS SUSY-2018-31 sbottom multi-b, Region A: three signal patches of HEPData ins1748602, assembled into a patchset for tests",
        ),
        (
            "atlas_1Lbb",
            args.lbb_dir,
            LBB_PATCHES,
            lambda n: f"patch_{n}.json",
            ["m_chargino_neutralino2", "m_neutralino1"],
            lambda n: [int(v) for v in n.split("_")[3:]],
            "ins1755298",
            "ATLAS SUSY-2019-08 1Lbb (Wh -> l bb): three signal patches of HEPData ins1755298, assembled into a patchset for tests",
        ),
    ]:
        with open(os.path.join(args.shared, name + ".json"), "rb") as f:
            raw = f.read()
        write_gz(os.path.join(WORKSPACES, name + ".json.gz"), raw.decode("utf-8"))
        workspace = json.loads(raw)
        patches = []
        for patch_name in patch_names:
            patch = read_json(os.path.join(patch_dir, make_file(patch_name)))
            patches.append({"metadata": {"name": patch_name, "values": values_of(patch_name)}, "patch": patch})
        patchset = {
            "metadata": {
                "description": description,
                "digests": {"sha256": pyhf.utils.digest(workspace, "sha256")},
                "labels": labels,
                "references": {"hepdata": hepdata},
            },
            "patches": patches,
            "version": "1.0.0",
        }
        pyhf.PatchSet(patchset).verify(workspace)  # pyhf accepts it
        write_gz(os.path.join(WORKSPACES, name + ".patchset.json.gz"), json.dumps(patchset))
        print("assembled", name, "digest", patchset["metadata"]["digests"]["sha256"])


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
    init = list(model.config.suggested_init())
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
    ws_file, patchset_file, patch_name, options = CASES[name]
    ws_path = os.path.join(WORKSPACES, ws_file)
    workspace = pyhf.Workspace(read_json(ws_path))
    if patchset_file:
        patchset = pyhf.PatchSet(read_json(os.path.join(WORKSPACES, patchset_file)))
        workspace = patchset.apply(workspace, patch_name)  # verifies the digest
    poi = options.get("poi", "default")
    model = workspace.model() if poi == "default" else workspace.model(poi_name=poi)
    data = np.asarray(workspace.data(model), dtype=float)
    return workspace, model, data, options


def reference_case(name):
    t_start = time.perf_counter()
    ws_file, patchset_file, patch_name, _ = CASES[name]
    workspace, model, data, options = load_case(name)
    rng = np.random.default_rng(20260805)
    cfg = model.config
    out = {
        "case": name,
        "workspace": ws_file,
        "patchset": patchset_file,
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
    a = sub.add_parser("assemble")
    a.add_argument("--shared", required=True)
    a.add_argument("--sbottom-dir", required=True)
    a.add_argument("--lbb-dir", required=True)
    r = sub.add_parser("reference")
    r.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    print("versions", json.dumps(versions()), flush=True)
    if args.command == "assemble":
        assemble(args)
    else:
        for name in args.cases:
            reference_case(name)


if __name__ == "__main__":
    main()
