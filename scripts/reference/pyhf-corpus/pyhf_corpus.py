"""Reference numbers from pyhf itself on a corpus of published pyhf workspaces.

Our script (not pyhf's code), in the style of the project's scripts/reference/pyhf_reference.py:
it imports pyhf, run from its source with Debian's numpy and scipy, and for every workspace in
/work/corpus/workspaces/ (written by build_corpus_workspaces.py: the published background-only
workspace with one signal patch already applied, see manifest.json) writes
/work/corpus/reference/<name>.json with the keys of the project's reference files

  case, workspace, patchset, patch, poi, par_names, channels, samples, init, bounds, fixed, data,
  auxdata, expected_at_init, nll_points, mle, upper_limit, hypotests, intervals, seconds_total

and in addition

  versions              pyhf version and commit, numpy, scipy, python
  source                the workspace's manifest entry
  mle.*.optimizer       scipy's OptimizeResult summary (nit, nfev, njev, success, status, message),
                        from pyhf.infer.mle.fit(..., return_result_obj=True)
  upper_limit_polished  toms748_scan(data, model, lo, hi, level=0.05, rtol=1e-6) with
                        pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=1e-10))
  hypotests             hypotest at mu = 1 (qtilde) with pyhf's default optimizer
  hypotests_polished    the same with tolerance 1e-10
  intervals             the two-sided profile-likelihood interval of the POI (68.27% and 95%),
                        our brentq over pyhf fits with tolerance 1e-10
  skipped               what was not computed and why (time box, errors)
  stage_seconds         CPU seconds of each stage

numpy backend; default optimizer = scipy SLSQP with pyhf's default tolerance, numerical gradients.
Workspaces run smallest first (number of parameters). Each workspace has a time box of about
25 CPU minutes (--budget): before a stage its cost is estimated from the fits so far and the stage
is skipped when it would not fit (the order of importance: MLE and NLL points, hypotests,
upper_limit_polished, upper_limit, intervals); a stage is aborted when the workspace has used
1.5 x the budget. The JSON is rewritten after every stage, so a killed run leaves what it had.

  cd /work/corpus
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=/tmp/pyhf-src/src \\
      nice -n 10 /usr/bin/python3 pyhf_corpus.py [--budget 1500] [name ...] >> log.txt 2>&1
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import scipy

import pyhf
from pyhf.infer.intervals.upper_limits import toms748_scan

# helpers shared with the reference script of test/fixtures/pyhf/reference/ (one copy of each): pyhf_reference.py
# is found one folder up in the repository, or beside this script where both are copied to a work folder
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pyhf_reference import named, nll, profile_interval, set_optimizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACES = os.path.join(HERE, "workspaces")
REFERENCE = os.path.join(HERE, "reference")
MANIFEST = os.path.join(HERE, "manifest.json")
PYHF_MIRROR = "/work/.mirror/scikit-hep+pyhf/repo"

TIGHT = 1e-12  # scipy SLSQP ftol for the "tight" MLE (as in the project's script)
POLISHED = 1e-10  # tolerance of the polished limits, hypotests and intervals
SEED = 20260805


class StageTimeout(Exception):
    pass


def cpu():
    return time.process_time()


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def random_points(model, data, rng, scales):
    """Points around the suggested init, each parameter moved by scale * its natural width, inside its bounds."""
    init = np.asarray(model.config.suggested_init(), dtype=float)
    bounds = np.asarray(model.config.suggested_bounds(), dtype=float)
    width = np.full(len(init), 0.2)
    for name in model.config.par_order:
        sl = model.config.par_slice(name)
        ps = model.config.param_set(name)
        if getattr(ps, "pdf_type", None) in ("normal", "poisson"):
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


def optimizer_summary(result):
    out = {}
    for key in ("nit", "nfev", "njev", "status", "success", "message"):
        if hasattr(result, key) and getattr(result, key) is not None:
            v = getattr(result, key)
            out[key] = v.item() if hasattr(v, "item") else v
            if isinstance(out[key], (bytes, np.bytes_)):
                out[key] = out[key].decode()
    out["method"] = "SLSQP (scipy.optimize.minimize via pyhf.optimize.scipy_optimizer)"
    return out


def fit(model, data, tolerance=None, init=None, fixed=None, result_obj=False):
    set_optimizer(tolerance)
    t0 = cpu()
    pars, twice, result = pyhf.infer.mle.fit(
        data, model, init_pars=init, fixed_params=fixed, return_fitted_val=True, return_result_obj=True
    )
    pars = np.asarray(pars, dtype=float)
    if result_obj:
        return pars, float(twice) / 2, cpu() - t0, optimizer_summary(result)
    return pars, float(twice) / 2, cpu() - t0


def hypotest(model, data, mu, test_stat, tolerance=None):
    set_optimizer(tolerance)
    t0 = cpu()
    cls, tails, band, calc = pyhf.infer.hypotest(
        mu, data, model, test_stat=test_stat, return_tail_probs=True, return_expected_set=True, return_calculator=True
    )
    fp = calc.fitted_pars
    return {
        "mu": mu,
        "test_stat": test_stat,
        "optimizer_tolerance": tolerance,
        "cls": float(cls),
        "clsb": float(tails[0]),
        "clb": float(tails[1]),
        "expected": [float(x) for x in band],
        "sqrt_qmu_A": float(calc.sqrtqmuA_v),
        "nll_fixed_data": nll(model, fp.fixed_poi_fit_to_data, data),
        "nll_free_data": nll(model, fp.free_fit_to_data, data),
        "mu_hat_data": float(fp.free_fit_to_data[model.config.poi_index]),
        "seconds": cpu() - t0,
    }


class ScanError(Exception):
    """toms748_scan failed; carries the hypotests it had evaluated."""

    def __init__(self, error, scan):
        super().__init__(f"{type(error).__name__}: {error}")
        self.scan = scan


def upper_limit(model, data, tolerance):
    """pyhf's toms748_scan; every hypotest it evaluates is recorded in "scan" (mu, CLs, expected band)."""
    import pyhf.infer.intervals.upper_limits as ul

    set_optimizer(tolerance)
    lo, hi = model.config.suggested_bounds()[model.config.poi_index]
    scan = []
    original = ul.hypotest

    def recording_hypotest(poi, *args, **kwargs):
        result = original(poi, *args, **kwargs)
        scan.append({"mu": float(poi), "cls": float(result[0]), "expected": [float(x) for x in result[-1]]})
        return result

    ul.hypotest = recording_hypotest
    t0 = cpu()
    try:
        obs, exp = toms748_scan(data, model, lo, hi, level=0.05, rtol=1e-6)
    except Exception as e:  # noqa: BLE001
        raise ScanError(e, scan) from e
    finally:
        ul.hypotest = original
    label = "default optimizer" if tolerance is None else f"scipy_optimizer(tolerance={tolerance:g})"
    return {
        "level": 0.05,
        "observed": float(obs),
        "expected": [float(x) for x in exp],
        "method": f"pyhf.infer.intervals.upper_limits.toms748_scan(data, model, poi_lower_bound, poi_upper_bound, level=0.05, rtol=1e-6), {label}",
        "optimizer_tolerance": tolerance,
        "seconds": cpu() - t0,
        "n_hypotests": len(scan),
        "scan": scan,
    }


def grid_limit(model, data, tolerance, scan):
    """pyhf.infer.intervals.upper_limits.upper_limit(data, model, scan, level=0.05, return_results=True)."""
    set_optimizer(tolerance)
    t0 = cpu()
    obs, exp, (mus, results) = pyhf.infer.intervals.upper_limits.upper_limit(data, model, scan, level=0.05, return_results=True)
    label = "default optimizer" if tolerance is None else f"scipy_optimizer(tolerance={tolerance:g})"
    return {
        "level": 0.05,
        "observed": float(obs),
        "expected": [float(x) for x in exp],
        "method": f"pyhf.infer.intervals.upper_limits.upper_limit(data, model, scan=np.linspace({scan[0]:g}, {scan[-1]:g}, {len(scan)}), level=0.05) (linear interpolation of CLs on the grid), {label}",
        "optimizer_tolerance": tolerance,
        "seconds": cpu() - t0,
        "scan": [{"mu": float(m), "cls": float(r[0]), "expected": [float(x) for x in r[-1]]} for m, r in zip(mus, results)],
    }


def pyhf_commit():
    try:
        return subprocess.check_output(["git", "-C", PYHF_MIRROR, "rev-parse", "HEAD"], text=True).strip()
    except Exception:  # noqa: BLE001
        return None


def versions():
    return {
        "pyhf": pyhf.__version__,
        "pyhf_commit": pyhf_commit(),
        "pyhf_source": "git archive HEAD src of scikit-hep/pyhf (the mirror's HEAD), run from /tmp/pyhf-src/src",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": sys.version.split()[0],
        "backend": "numpy",
    }


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def reference_case(name, entry, budget):
    wall0 = time.perf_counter()
    t_start = cpu()
    spec = read_json(os.path.join(WORKSPACES, name + ".json"))
    workspace = pyhf.Workspace(spec)
    model = workspace.model(poi_name=entry["poi"]) if entry["poi"] is None else workspace.model()
    data = np.asarray(workspace.data(model), dtype=float)
    cfg = model.config
    details = entry.get("details", {})
    patchset = None
    if entry.get("patch_applied"):
        member = details.get("member_patchset") or details.get("member_patch") or details.get("patchset_path_in_repo")
        patchset = f"{entry['source_repo']}:{entry['path_in_repo']}" + (f" -> {member}" if member else "")
    out = {
        "case": name,
        "workspace": f"{name}.json",
        "patchset": patchset,
        "patch": entry.get("patch_applied"),
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
        "versions": versions(),
        "source": entry,
        "budget_cpu_seconds": budget,
        "skipped": [],
        "stage_seconds": {},
    }
    path = os.path.join(REFERENCE, name + ".json")

    def write():
        out["seconds_total"] = cpu() - t_start
        out["wall_seconds_total"] = time.perf_counter() - wall0
        with open(path, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
            f.write("\n")

    def used():
        return cpu() - t_start

    def run_stage(stage, key, fn, estimate):
        """Run fn() unless its estimated CPU cost does not fit; abort it at 1.5 x budget."""
        remaining = budget - used()
        if estimate is not None and estimate > remaining:
            out["skipped"].append({"stage": stage, "reason": f"time box: estimated {estimate:.0f} CPU s > {remaining:.0f} s left of {budget:.0f} s"})
            log(name, "skip", stage, f"estimate {estimate:.0f}s > left {remaining:.0f}s")
            write()
            return None
        hard = max(1.5 * budget - used(), 30.0)

        def on_alarm(_sig, _frame):
            raise StageTimeout()

        old = signal.signal(signal.SIGPROF, on_alarm)
        signal.setitimer(signal.ITIMER_PROF, hard)
        t0 = cpu()
        try:
            value = fn()
        except StageTimeout:
            out["skipped"].append({"stage": stage, "reason": f"time box: aborted after {cpu() - t0:.0f} CPU s (workspace at 1.5 x budget)"})
            log(name, "abort", stage)
            value = None
        except Exception as e:  # noqa: BLE001
            item = {"stage": stage, "reason": f"error: {type(e).__name__}: {e}"}
            if isinstance(e, ScanError):
                item["scan"] = e.scan  # the hypotests toms748_scan had evaluated before it failed
            out["skipped"].append(item)
            log(name, "error", stage, repr(e))
            value = None
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, old)
        out["stage_seconds"][stage] = cpu() - t0
        if value is not None and key is not None:
            out[key] = value
        write()
        log(name, stage, "done" if value is not None else "not done", f"{cpu() - t0:.1f}s", f"total {used():.1f}s")
        return value

    # NLL points and MLEs
    rng = np.random.default_rng(SEED)
    points = [("init", np.asarray(cfg.suggested_init(), dtype=float), nll(model, cfg.suggested_init(), data))]
    points += random_points(model, data, rng, [("near", 0.3), ("far", 1.5), ("farther", 2.5)])
    best_default, nll_default, t_default, opt_default = fit(model, data, None, result_obj=True)
    out["stage_seconds"]["mle_default"] = t_default
    log(name, "mle default", f"{t_default:.1f}s", opt_default)
    best_tight, nll_tight, t_tight, opt_tight = fit(model, data, TIGHT, result_obj=True)
    out["stage_seconds"]["mle_tight"] = t_tight
    log(name, "mle tight", f"{t_tight:.1f}s", opt_tight)
    points.append(("pyhf_mle", best_tight, nll(model, best_tight, data)))
    out["nll_points"] = [{"label": label, "pars": named(model, p), "nll": value} for label, p, value in points]
    out["mle"] = {
        "default": {"pars": named(model, best_default), "nll": nll_default, "seconds": t_default, "tolerance": None, "optimizer": opt_default},
        "tight": {"pars": named(model, best_tight), "nll": nll_tight, "seconds": t_tight, "tolerance": TIGHT, "optimizer": opt_tight},
    }
    write()

    if cfg.poi_name is None:
        out["skipped"].append({"stage": "upper_limit, upper_limit_polished, hypotests, hypotests_polished, intervals", "reason": "no POI: the measurement's POI is in no sample of this background-only workspace"})
        out["intervals"] = []
        write()
        log(name, "written (no POI)", f"{used():.1f}s")
        return out

    lo, hi = cfg.suggested_bounds()[cfg.poi_index]
    h = run_stage("hypotests", None, lambda: [hypotest(model, data, 1.0, "qtilde", None)] if lo < 1.0 <= hi else [], 8 * t_default)
    out["hypotests"] = h if h is not None else []
    t_hyp = h[0]["seconds"] if h else 5 * t_default
    hp = run_stage("hypotests_polished", None, lambda: [hypotest(model, data, 1.0, "qtilde", POLISHED)] if lo < 1.0 <= hi else [], 8 * t_tight)
    out["hypotests_polished"] = hp if hp is not None else []
    t_hyp_pol = hp[0]["seconds"] if hp else 5 * t_tight

    # toms748 with rtol 1e-6: about 8 hypotests for each of the 6 roots (observed and 5 expected)
    run_stage("upper_limit_polished", "upper_limit_polished", lambda: upper_limit(model, data, POLISHED), 45 * t_hyp_pol)
    ul_default = run_stage("upper_limit", "upper_limit", lambda: upper_limit(model, data, None), 45 * t_hyp)
    failed = [x for x in out["skipped"] if x["stage"] == "upper_limit_polished" and "scan" in x]
    inside = failed and any(lo <= p["mu"] <= hi and max([p["cls"]] + p["expected"]) < 0.05 for p in failed[0]["scan"])
    if failed and not inside:
        out["skipped"].append({"stage": "upper_limit_polished_grid", "reason": "not tried: no scanned POI value inside the bounds has CLs and the whole expected band below 0.05 (the limit lies beyond the POI's upper bound)"})
    if failed and inside:
        # toms748_scan failed with the polished optimizer: pyhf's grid scan instead (upper_limit with a scan,
        # which interpolates CLs linearly), over [lo, top] with top from what is known of the limit
        guess = [1.0] + ([ul_default["expected"][4], ul_default["observed"]] if ul_default else [])
        top = float(min(hi, 2.0 * max(guess)))
        run_stage("upper_limit_polished_grid", "upper_limit_polished_grid", lambda: grid_limit(model, data, POLISHED, np.linspace(lo, top, 61)), 61 * t_hyp_pol)
    # profile interval: a tight fit, then for 2 CLs x 2 sides about 15 fits each
    iv = run_stage("intervals", None, lambda: [profile_interval(model, data, cfg.poi_name, [0.6827, 0.95])], 60 * t_tight)
    out["intervals"] = iv if iv is not None else []
    write()
    log(name, "written", f"{used():.1f}s")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=1500.0, help="CPU seconds per workspace (default 1500)")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    manifest = read_json(MANIFEST)
    names = args.names or sorted(manifest, key=lambda n: (manifest[n]["parameters"], os.path.getsize(os.path.join(WORKSPACES, n + ".json"))))
    os.makedirs(REFERENCE, exist_ok=True)
    log("versions", json.dumps(versions()))
    for name in names:
        log("start", name, f"{manifest[name]['channels']} channels, {manifest[name]['bins']} bins, {manifest[name]['parameters']} parameters")
        reference_case(name, manifest[name], args.budget)


if __name__ == "__main__":
    main()
