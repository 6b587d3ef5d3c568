"""Task A: 95% CLs limits for atlas_3L_eRJR_350_150 with every Poisson term of
pyhf evaluated by Loader's saddle-point form (R's dpois_raw) instead of
xlogy(n, lam) - lam - gammaln(n+1).  Otherwise identical to
/work/corpus/extra/limits_3L.py (grid 0.2..3.0 step 0.1, brentq xtol=1e-8,
rtol=1e-10, numpy backend, scipy_optimizer(tolerance=1e-10), qtilde).

Run:
    PYTHONPATH=/tmp/pyhf-src/src:/work/corpus/extra2 nice -n 10 /usr/bin/python3 \
        /work/corpus/extra2/limits_3L_exact_poisson.py
"""

import json
import time
from pathlib import Path

import mpmath
import numpy as np

import pyhf
import exact_poisson
from limits_common import CURVE_NAMES, CLS_LEVEL, CLsCache, grid_and_brentq, versions

WORKSPACE = Path("/work/corpus/workspaces/atlas_3L_eRJR_350_150.json")
OUTPUT = Path("/work/corpus/extra2/atlas_3L_eRJR_350_150.exact-poisson.limits.json")
GRID = [round(0.2 + 0.1 * i, 10) for i in range(29)]  # 0.2 .. 3.0
OTHER_LIMITS = [
    ("observed", 1.354935682057837),
    ("exp_-2sigma", 0.47624575548653314),
    ("exp_-1sigma", 0.6563010474324888),
    ("exp_median", 0.9556936797076535),
    ("exp_+1sigma", 1.4395868182592206),
    ("exp_+2sigma", 2.1512067596260573),
]
mpmath.mp.dps = 50


def mp_neg_log_pois(n, lam):
    n = mpmath.mpf(float(n))
    lam = mpmath.mpf(float(lam))
    nlog = n * mpmath.log(lam) if n != 0 else mpmath.mpf(0)
    return lam - nlog + mpmath.loggamma(n + 1)


def mp_neg_log_normal(x, mu, sigma):
    x, mu, sigma = (mpmath.mpf(float(v)) for v in (x, mu, sigma))
    return mpmath.log(sigma * mpmath.sqrt(2 * mpmath.pi)) + (x - mu) ** 2 / (2 * sigma ** 2)


def high_precision_nll(model, data, pars):
    """-ln L in 50 digits from the pieces pyhf uses: main-bin Poisson terms
    (data, model.expected_actualdata), Poisson constraint terms (auxdata,
    rates = gamma * tau) and Gaussian constraint terms."""
    nmain = model.config.nmaindata
    main_n = np.asarray(data[:nmain], dtype=float)
    aux = np.asarray(data[nmain:], dtype=float)
    lam = np.asarray(model.expected_actualdata(pars), dtype=float)
    cm = model.constraint_model
    out = {"n_main_terms": int(nmain)}
    pois_terms = [mp_neg_log_pois(n, l) for n, l in zip(main_n, lam)]
    pois_n, pois_lam = list(main_n), list(lam)
    if cm.constraints_poisson.has_pdf():
        pdf = cm.constraints_poisson.make_pdf(pars)
        rates = np.asarray(pdf._pdf.rate, dtype=float)
        caux = aux[np.asarray(cm.constraints_poisson.poisson_data, dtype=int)]
        pois_terms += [mp_neg_log_pois(n, l) for n, l in zip(caux, rates)]
        pois_n += list(caux)
        pois_lam += list(rates)
        out["n_poisson_constraint_terms"] = int(len(rates))
    gauss_terms = []
    if cm.constraints_gaussian.has_pdf():
        pdf = cm.constraints_gaussian.make_pdf(pars)
        loc = np.asarray(pdf._pdf.loc, dtype=float)
        scale = np.asarray(pdf._pdf.scale, dtype=float)
        gaux = aux[np.asarray(cm.constraints_gaussian.normal_data, dtype=int)]
        gauss_terms = [mp_neg_log_normal(x, m, s) for x, m, s in zip(gaux, loc, scale)]
        out["n_gaussian_constraint_terms"] = int(len(loc))
    # per-term comparison of the patched and original double-precision Poisson terms
    pn, pl = np.array(pois_n), np.array(pois_lam)
    patched_terms = -exact_poisson.loader_poisson_logpdf(pn, pl)
    orig_terms = -(exact_poisson.xlogy(pn, pl) - pl - exact_poisson.gammaln(pn + 1.0))
    rel_p, rel_o, abs_p, abs_o = [], [], [], []
    for a, b, e in zip(patched_terms, orig_terms, pois_terms):
        abs_p.append(float(abs(mpmath.mpf(float(a)) - e)))
        abs_o.append(float(abs(mpmath.mpf(float(b)) - e)))
        if e != 0:
            rel_p.append(float(abs((mpmath.mpf(float(a)) - e) / e)))
            rel_o.append(float(abs((mpmath.mpf(float(b)) - e) / e)))
    out["poisson_total_mp"] = mpmath.fsum(pois_terms)
    out["gaussian_total_mp"] = mpmath.fsum(gauss_terms)
    out["total_mp"] = out["poisson_total_mp"] + out["gaussian_total_mp"]
    out["poisson_total_patched_double"] = float(np.sum(patched_terms))
    out["poisson_total_original_double"] = float(np.sum(orig_terms))
    out["max_term_abs_err_patched"] = max(abs_p)
    out["max_term_abs_err_original"] = max(abs_o)
    out["max_term_rel_err_patched"] = max(rel_p)
    out["max_term_rel_err_original"] = max(rel_o)
    out["worst_term_original"] = {
        "index": int(np.argmax(abs_o)), "n": float(pn[np.argmax(abs_o)]),
        "lam": float(pl[np.argmax(abs_o)])}
    return out


def patch_check(model, data):
    init = np.asarray(model.config.suggested_init(), dtype=float)
    bounds = np.asarray(model.config.suggested_bounds(), dtype=float)
    fixed = np.asarray(model.config.suggested_fixed(), dtype=bool)
    widths = np.full(len(init), np.nan)
    for name in model.config.par_order:
        ps = model.config.param_set(name)
        sl = model.config.par_slice(name)
        if getattr(ps, "constrained", False):
            widths[sl] = ps.width()
    rng = np.random.default_rng(20240604)
    points = [("suggested_init", init)]
    for i in range(3):
        step = np.where(np.isnan(widths), 0.05, 0.3 * widths)
        p = init + step * rng.standard_normal(len(init))
        p = np.where(fixed, init, p)
        p = np.clip(p, bounds[:, 0], bounds[:, 1])
        points.append((f"random_{i}", p))
    rows = []
    for label, p in points:
        exact_poisson.install()
        c0 = exact_poisson.CALLS["n"]
        nll_patched = float(-model.logpdf(p, data)[0])
        calls = exact_poisson.CALLS["n"] - c0
        exact_poisson.uninstall()
        c1 = exact_poisson.CALLS["n"]
        nll_orig = float(-model.logpdf(p, data)[0])
        assert exact_poisson.CALLS["n"] == c1
        exact_poisson.install()
        hp = high_precision_nll(model, data, p)
        total_mp = hp["total_mp"]
        row = {
            "point": label,
            "nll_patched": nll_patched,
            "nll_original": nll_orig,
            "original_minus_patched": nll_orig - nll_patched,
            "patched_poisson_logpdf_calls_in_one_model_logpdf": calls,
            "nll_high_precision_50digits": mpmath.nstr(total_mp, 25),
            "rel_diff_patched_vs_hp": float((mpmath.mpf(nll_patched) - total_mp) / total_mp),
            "rel_diff_original_vs_hp": float((mpmath.mpf(nll_orig) - total_mp) / total_mp),
            "abs_diff_patched_vs_hp": float(mpmath.mpf(nll_patched) - total_mp),
            "abs_diff_original_vs_hp": float(mpmath.mpf(nll_orig) - total_mp),
            "poisson_terms_only": {
                "hp": mpmath.nstr(hp["poisson_total_mp"], 25),
                "rel_diff_patched": float((mpmath.mpf(hp["poisson_total_patched_double"]) - hp["poisson_total_mp"]) / hp["poisson_total_mp"]),
                "rel_diff_original": float((mpmath.mpf(hp["poisson_total_original_double"]) - hp["poisson_total_mp"]) / hp["poisson_total_mp"]),
            },
            "n_terms": {k: hp[k] for k in hp if k.startswith("n_")},
            "max_term_abs_err_patched": hp["max_term_abs_err_patched"],
            "max_term_abs_err_original": hp["max_term_abs_err_original"],
            "max_term_rel_err_patched": hp["max_term_rel_err_patched"],
            "max_term_rel_err_original": hp["max_term_rel_err_original"],
            "worst_term_original": hp["worst_term_original"],
        }
        if label != "suggested_init":
            row["max_abs_offset_from_init_in_widths"] = float(np.nanmax(np.abs(p - init) / np.where(np.isnan(widths), 1.0, widths)))
        print(json.dumps(row), flush=True)
        rows.append(row)
    return {
        "points": rows,
        "largest_abs_rel_diff_patched_total_vs_high_precision": max(abs(r["rel_diff_patched_vs_hp"]) for r in rows),
        "largest_abs_rel_diff_original_total_vs_high_precision": max(abs(r["rel_diff_original_vs_hp"]) for r in rows),
        "random_points": "init + 0.3*width*N(0,1) for constrained parameters (width = pyhf paramset.width()), init + 0.05*N(0,1) for unconstrained ones; fixed parameters kept; clipped to bounds; numpy default_rng(20240604)",
        "high_precision": "mpmath %s, mp.dps=50: sum over main bins of lam - n ln lam + lgamma(n+1) (n=data, lam=model.expected_actualdata), over Poisson constraint terms (n=auxdata, lam=gamma*tau rates from constraints_poisson.make_pdf) plus the Gaussian constraint terms ln(sigma sqrt(2 pi)) + (x-mu)^2/(2 sigma^2); inputs are the exact double values" % mpmath.__version__,
    }


def main():
    seconds = {}
    t0 = time.perf_counter()
    exact_poisson.install()
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=1e-10))
    assert pyhf.tensorlib.poisson_logpdf.__func__ is exact_poisson._patched
    ws = pyhf.Workspace(json.loads(WORKSPACE.read_text()))
    model = ws.model()
    data = ws.data(model)
    poi_bounds = list(model.config.suggested_bounds()[model.config.poi_index])
    seconds["setup"] = time.perf_counter() - t0

    t = time.perf_counter()
    check = patch_check(model, data)
    exact_poisson.install()
    seconds["patch_check"] = time.perf_counter() - t
    partial = {"patch_check": check}
    OUTPUT.with_suffix(".partial.json").write_text(json.dumps(partial, indent=1) + "\n")

    all_cls = CLsCache(data, model)
    c0 = exact_poisson.CALLS["n"]
    grid, limits, root_info, s = grid_and_brentq(all_cls, GRID, label="3L")
    seconds.update(s)

    t = time.perf_counter()
    at_other = []
    for name, mu in OTHER_LIMITS:
        cls = all_cls(mu)
        k = CURVE_NAMES.index(name)
        at_other.append({
            "curve": name, "mu": mu, "cls": cls,
            "own_curve_cls": cls[k],
            "own_curve_minus_0.05": cls[k] - CLS_LEVEL,
            "within_1e-4_of_0.05": abs(cls[k] - CLS_LEVEL) <= 1e-4,
        })
        print(f"{name} at other limit {mu}: CLs {cls[k]:.10g}", flush=True)
    seconds["at_other_limits"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    patched_calls = exact_poisson.CALLS["n"] - c0

    result = {
        "method": (
            "pyhf numpy backend with scipy_optimizer(tolerance=1e-10), with "
            "numpy_backend.poisson_logpdf monkeypatched (on the class, before the "
            "model is built) to Loader's saddle-point form log p = -[bd0(n,lam) + S(n)] "
            "as in R's dpois_raw (bd0 by the v=(x-m)/(x+m) series when |x-m|<0.1(x+m), "
            "S(n)=lgamma(n+1)-n ln n+n for n<=15, Stirling series for n>15), so both the "
            "main-bin Poisson terms and the shapesys Poisson constraint terms are "
            "evaluated without cancellation; pyhf.infer.hypotest(mu, data, model, "
            "test_stat='qtilde', return_expected_set=True) (asymptotic CLs); each of the "
            "six curves' CLs=0.05 crossing bracketed on the grid mu=0.2..3.0 step 0.1 "
            "(first sign change) and solved with scipy.optimize.brentq(xtol=1e-8, "
            "rtol=1e-10), as in /work/corpus/extra/limits_3L.py."
        ),
        "workspace": str(WORKSPACE),
        "poi": model.config.poi_name,
        "poi_bounds": poi_bounds,
        "versions": dict(versions(), mpmath=mpmath.__version__),
        "patch_check": check,
        "observed": limits[0],
        "expected": limits[1:],
        "curve_order": CURVE_NAMES,
        "roots": root_info,
        "grid": {repr(mu): grid[mu] for mu in GRID},
        "at_other_limits": at_other,
        "n_hypotests": len(all_cls.cache),
        "all_hypotests": {repr(mu): v for mu, v in sorted(all_cls.cache.items())},
        "patched_poisson_logpdf_calls_during_hypotests": patched_calls,
        "warnings": all_cls.caught,
        "seconds": seconds,
    }
    OUTPUT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {OUTPUT}; total {seconds['total']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
