"""A global-fit-shaped workload against dy-smeft-run3 through the Python client (issue 25 item 6).

    npm run bench:global-fit        # starts the Node server, runs this, stops it

Three minimisers of the 3-coefficient NLL, side by side in one run on one server: Nelder-Mead
(one point per request), L-BFGS-B with the analytic gradient (one point and its gradient per
request), and differential evolution with the population batched into one request per
generation. Each reports requests, points, seconds, requests and points per second, and how far
its minimum lies from the service's own fit.
"""
import os
import sys
import time

import numpy as np
from scipy.optimize import differential_evolution, minimize

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from likelihood_client import Client, Likelihood  # noqa: E402

BASE = os.environ.get("LIKELIHOOD_SERVICE_URL", "http://127.0.0.1:8790")
ID = os.environ.get("LIKELIHOOD_ID", "dy-smeft-run3")


class Counted:
    """The likelihood with the requests and points it was asked for counted."""

    def __init__(self, lik):
        self.lik = lik
        self.names = lik.parameters()
        self.requests = 0
        self.points = 0

    def values(self, xs, gradient=False):
        self.requests += 1
        self.points += len(xs)
        answer = self.lik.nll_full([dict(zip(self.names, map(float, x))) for x in xs], gradient=gradient, memberSpread=False)
        return answer


def main():
    lik = Likelihood(ID, client=Client(BASE, timeout=600))
    started = time.perf_counter()
    fit = lik.fit()
    fit_seconds = time.perf_counter() - started
    names = lik.parameters()
    best = np.array([fit["parameters"][n] for n in names])
    start = np.full(len(names), 0.01)
    box = [(-0.05, 0.05)] * len(names)
    rows = []

    def run(label, minimiser):
        counted = Counted(lik)
        t0 = time.perf_counter()
        x, value = minimiser(counted)
        seconds = time.perf_counter() - t0
        rows.append((label, counted.requests, counted.points, seconds, counted.requests / seconds, counted.points / seconds, value - fit["nll"], float(np.max(np.abs(x - best)))))

    def nelder_mead(c):
        r = minimize(lambda x: c.values([x])["nll"][0], start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-7, "maxfev": 5000})
        return r.x, r.fun

    def lbfgs(c):
        def f(x):
            answer = c.values([x], gradient=True)
            return answer["nll"][0], np.array(answer["gradient"][0])

        r = minimize(f, start, jac=True, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-8})
        return r.x, r.fun

    def evolution(c):
        # vectorized: scipy hands the whole population (d × S) to one call, one request per generation
        r = differential_evolution(lambda xs: np.array(c.values(xs.T)["nll"]), box, vectorized=True, updating="deferred", seed=7, tol=1e-10, popsize=15, maxiter=300, polish=False)
        return r.x, r.fun

    run("Nelder-Mead, one point per request", nelder_mead)
    run("L-BFGS-B with the gradient, one point per request", lbfgs)
    run("differential evolution, one generation per request", evolution)

    print(f"{ID} at {BASE}: the service's own fit took {fit_seconds:.2f} s (one request), NLL {fit['nll']:.6f}")
    print("| minimiser | requests | points | seconds | requests/s | points/s | NLL − fit | max abs(θ − θ̂_fit) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, requests, points, seconds, rps, pps, gap, dist in rows:
        print(f"| {label} | {requests} | {points} | {seconds:.1f} | {rps:.1f} | {pps:.0f} | {gap:.2e} | {dist:.1e} |")


if __name__ == "__main__":
    main()
