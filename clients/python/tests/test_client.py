"""The Python client against a running service (LIKELIHOOD_SERVICE_URL), as a global fitter uses it.

An external minimiser (scipy) over nll with every parameter free must reproduce the service's
own fit and interval: on a binned likelihood with 100 nuisance parameters and on a learned one.
"""
import http.server
import math
import os
import threading
import unittest

from likelihood_client import Client, Likelihood, ServiceError, combine

BASE = os.environ.get("LIKELIHOOD_SERVICE_URL", "http://localhost:8787")

try:
    import numpy as np
    from scipy.optimize import brentq, minimize
except ImportError:  # Debian's python3-scipy is installed by .ci/run
    np = None


@unittest.skipIf(np is None, "needs numpy and scipy")
class GlobalFitterTest(unittest.TestCase):
    def minimise(self, lik, names, start, bounds):
        """scipy's L-BFGS-B over nll with its analytic gradient, every parameter named."""

        def f(x):
            answer = lik.nll_full([dict(zip(names, x))], gradient=True, derivatives="all", memberSpread=False)
            order = [answer["parameters"].index(n) for n in names]
            return answer["nll"][0], np.array(answer["gradient"][0])[order]

        return minimize(f, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 5000})

    def test_binned_every_parameter_free(self):
        lik = Likelihood("atlas-sbottom-regiona", BASE)
        fit = lik.fit()
        specs = [p for p in lik.all_parameters() if not p["fixed"]]
        names = [p["name"] for p in specs]
        self.assertGreater(len(names), 50)
        self.assertEqual(set(names), {n for n in [*fit["parameters"], *fit["nuisances"]] if n in names})
        # every parameter free, from its nominal value (the signal strength from 1.2)
        start = [1.2 if p["kind"] == "interest" else p["init"] for p in specs]
        result = self.minimise(lik, names, start, [tuple(p["bounds"]) for p in specs])
        self.assertTrue(result.success, result.message)
        self.assertAlmostEqual(result.fun, fit["nll"], delta=1e-6 * abs(fit["nll"]))
        self.assertAlmostEqual(result.x[0], fit["parameters"]["mu_SIG"], delta=1e-3)
        # interval ends: where the profiled q(mu) crosses the 68.27% threshold, by Brent's method on profiled nll
        interval = lik.interval("mu_SIG", cl=[0.6827])
        segment = interval["intervals"][0]["segments"][0]
        threshold = interval["intervals"][0]["threshold"]
        q = lambda mu: 2 * (lik.nll([{"mu_SIG": mu}], profile=True)[0] - interval["nllMin"]) - threshold
        best = interval["best"]
        ends = [(segment[e], segment[f"{e}Open"]) for e in ("lower", "upper")]
        self.assertTrue(any(not open_ for _, open_ in ends))
        for end, open_ in ends:
            if open_:
                continue  # at the range's edge (mu = 0 here): no crossing to find
            ours = brentq(q, *sorted((best, best + 2 * (end - best))), xtol=1e-10)
            self.assertAlmostEqual(ours, end, delta=1e-4 * (segment["upper"] - segment["lower"]))

    def test_learned_likelihood(self):
        lik = Likelihood("dy-smeft-run3", BASE)
        names = lik.parameters()
        fit = lik.fit()
        result = self.minimise(lik, names, [0.001, -0.001, 0.001], [(-2, 2)] * 3)
        self.assertTrue(result.success, result.message)
        self.assertAlmostEqual(result.fun, fit["nll"], delta=1e-9 * abs(fit["nll"]))
        for k, name in enumerate(names):
            self.assertAlmostEqual(result.x[k], fit["parameters"][name], delta=2e-5)
        # the 68.27% interval of the first coefficient, the other two profiled by scipy itself
        interval = lik.interval(names[0], cl=[0.6827])
        segment = interval["intervals"][0]["segments"][0]
        threshold = interval["intervals"][0]["threshold"]

        def q(c):
            others = lambda y: self.minimise_value(lik, names, [c, *y])
            inner = minimize(others, result.x[1:], jac=True, method="L-BFGS-B", bounds=[(-2, 2)] * 2, options={"ftol": 1e-15, "gtol": 1e-10})
            return 2 * (inner.fun - result.fun) - threshold

        for end in (segment["lower"], segment["upper"]):
            ours = brentq(q, *sorted((result.x[0], result.x[0] + 2 * (end - result.x[0]))), xtol=1e-9)
            self.assertAlmostEqual(ours, end, delta=1e-3 * (segment["upper"] - segment["lower"]))

    def minimise_value(self, lik, names, x):
        """nll and its gradient over all but the first parameter, at x."""
        answer = lik.nll_full([dict(zip(names, x))], gradient=True, memberSpread=False)
        return answer["nll"][0], np.array(answer["gradient"][0][1:])


class ClientTest(unittest.TestCase):
    def test_nll_grad_logl(self):
        lik = Likelihood("tttt-yukawa", BASE)
        self.assertEqual(lik.parameters(), ["Yt"])
        values = lik.nll([{"Yt": 1.0}, [1.5]])
        self.assertEqual(len(values), 2)
        self.assertEqual(lik.logl([1.5]), -values[1])
        self.assertEqual(lik.logl({"Yt": 1.5}), -values[1])
        h = 1e-5
        g = lik.grad({"Yt": 1.2})[0][0]
        fd = (lik.nll([[1.2 + h]])[0] - lik.nll([[1.2 - h]])[0]) / (2 * h)
        self.assertAlmostEqual(g, fd, delta=1e-5 * max(1, abs(g)))
        with self.assertRaises(ValueError):
            lik.nll([[1.0, 2.0]])

    def test_combination_is_the_sum(self):
        combination = combine(["gaussian-toy-truth", "tttt-yukawa"], base=BASE)
        self.assertEqual(combination.parameters(), ["theta", "Yt"])
        point = {"theta": 0.3, "Yt": 1.1}
        total = combination.nll([point])[0]
        parts = Likelihood("gaussian-toy-truth", BASE).nll([{"theta": 0.3}])[0] + Likelihood("tttt-yukawa", BASE).nll([{"Yt": 1.1}])[0]
        self.assertEqual(total, parts)
        self.assertTrue(combination.fit()["converged"])

    def test_cls_and_interval(self):
        lik = Likelihood("atlas-sbottom-regiona", BASE)
        cls = lik.cls([1.0])["results"][0]["cls"]
        self.assertTrue(0 < cls < 1)
        interval = lik.interval("mu_SIG", cl=[0.68])
        self.assertTrue(interval["converged"])

    def test_errors_are_problem_details(self):
        with self.assertRaises(ServiceError) as caught:
            Likelihood("no-such-likelihood", BASE).nll([{"x": 1}])
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "unknown-likelihood"))
        with self.assertRaises(ServiceError) as caught:
            Likelihood("tttt-yukawa", BASE).nll([{"nope": 1}])
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "unknown-parameter"))
        with self.assertRaises(ValueError):
            Likelihood("tttt-yukawa", BASE).nll([{"Yt": math.nan}])


class RetryTest(unittest.TestCase):
    """Against a stub server: 503 twice, then an answer; a 422 is not retried."""

    def serve(self, statuses):
        calls = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                calls.append(self.path)
                status = statuses[min(len(calls), len(statuses)) - 1]
                body = b'{"nll": [1.5]}' if status == 200 else b'{"code": "x", "detail": "stub"}'
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        return Client(f"http://127.0.0.1:{server.server_port}", retries=3, backoff=0.01), calls

    def test_retries_server_failures(self):
        client, calls = self.serve([503, 503, 200])
        self.assertEqual(Likelihood("x", client=client).nll([{"a": 1}]), [1.5])
        self.assertEqual(len(calls), 3)

    def test_does_not_retry_client_errors(self):
        client, calls = self.serve([422])
        with self.assertRaises(ServiceError):
            Likelihood("x", client=client).nll([{"a": 1}])
        self.assertEqual(len(calls), 1)


if __name__ == "__main__":
    unittest.main()
