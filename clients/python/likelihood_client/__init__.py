"""A client for the likelihood service's HTTP API (v1), standard library only.

    from likelihood_client import Likelihood, combine

    lik = Likelihood("tttt-yukawa", base="http://localhost:8787")
    print(lik.nll([{"Yt": 1.0}, {"Yt": 1.5}]))          # -ln L at two points
    print(lik.interval("Yt", cl=[0.68, 0.95])["intervals"])
    logl = lik.logl                                       # ln L(theta), as smelli/GAMBIT-style code calls it
    print(logl({"Yt": 1.2}), logl([1.2]))

Points are dicts keyed by parameter name (any parameter, nuisances included), or sequences in
the order of the parameters of interest; anything with ``tolist()`` (numpy arrays) is accepted.
Errors are ``ServiceError`` with the service's problem details (status, code, detail, errors);
requests that failed for the server's reasons (connection errors, 429, 502, 503, 504) are
retried with exponential backoff, never those the client must change.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["Client", "Likelihood", "Combination", "ServiceError", "combine"]
__version__ = "0.1.0"

DEFAULT_BASE = "http://localhost:8787"
RETRY_STATUSES = {429, 502, 503, 504}


class ServiceError(Exception):
    """A problem-details answer (RFC 9457) of the service, or a server that could not be reached."""

    def __init__(self, status: int, code: str, detail: str, errors: list | None = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []


class Client:
    """The HTTP connection: base URL, timeout and retries."""

    def __init__(self, base: str = DEFAULT_BASE, timeout: float = 120.0, retries: int = 3, backoff: float = 0.5):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(_plain(body), allow_nan=False).encode()
        headers = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.load(response)
            except urllib.error.HTTPError as error:
                if error.code in RETRY_STATUSES and attempt < self.retries:
                    time.sleep(_retry_after(error) or self.backoff * 2**attempt)
                    continue
                raise _problem(error) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt < self.retries:
                    time.sleep(self.backoff * 2**attempt)
                    continue
                raise ServiceError(0, "unreachable", f"{self.base}{path}: {getattr(error, 'reason', error)}") from None
        raise AssertionError("unreachable")


class _Operations:
    """nll, fit and interval, shared by a published likelihood and a combination."""

    client: Client
    _interest: list[str] | None = None

    def _post(self, operation: str, body: dict) -> Any:
        raise NotImplementedError

    def parameters(self) -> list[str]:
        """The parameters of interest, in the order sequences are read."""
        raise NotImplementedError

    def nll(self, points: Any, **options: Any) -> list[float]:
        """-ln L at each point (options: data, at, luminosity, profile, offset, ...)."""
        return self._post("nll", {"points": self._points(points), **options})["nll"]

    def grad(self, points: Any, derivatives: str = "interest", **options: Any) -> list[list[float]]:
        """The analytic gradient of -ln L at each point, in the order of ``nll_full(...)['parameters']``."""
        return self._post("nll", {"points": self._points(points), "gradient": True, "derivatives": derivatives, **options})["gradient"]

    def nll_full(self, points: Any, **options: Any) -> dict:
        """The whole nll answer: values, gradient and Hessian when asked (``gradient=True, hessian=True``), spreads, nuisances."""
        return self._post("nll", {"points": self._points(points), **options})

    def fit(self, **options: Any) -> dict:
        return self._post("fit", options)

    def interval(self, parameters: str | Sequence[str], cl: Sequence[float] = (0.68, 0.95), **options: Any) -> dict:
        names = [parameters] if isinstance(parameters, str) else list(parameters)
        return self._post("interval", {"parameters": names, "cl": list(cl), **options})

    def logl(self, theta: Any) -> float:
        """ln L at one point: a dict, or a sequence in the order of the parameters of interest."""
        return -self.nll([theta])[0]

    def _points(self, points: Any) -> list[dict]:
        points = _plain(points)
        if isinstance(points, Mapping) or (isinstance(points, list) and points and not isinstance(points[0], (list, dict))):
            points = [points]
        return [p if isinstance(p, Mapping) else self._named(p) for p in points]

    def _named(self, values: Sequence[float]) -> dict:
        names = self.parameters()
        if len(values) != len(names):
            raise ValueError(f"a point of {len(values)} values; the parameters of interest are {names}")
        return dict(zip(names, values))


class Likelihood(_Operations):
    """A published likelihood, by id or id@version."""

    def __init__(self, id: str, base: str = DEFAULT_BASE, client: Client | None = None):
        self.id = id
        self.client = client or Client(base)

    def manifest(self) -> dict:
        return self.client.request("GET", f"/v1/likelihoods/{self.id}")

    def parameters(self) -> list[str]:
        if self._interest is None:
            self._interest = [p["name"] for p in self.manifest()["parameters"]]
        return self._interest

    def all_parameters(self) -> list[dict]:
        """Every parameter, nuisances included, in the order of the full vector: name, kind, init, bounds (None: unbounded), fixed, constraint."""
        return self.client.request("GET", f"/v1/likelihoods/{self.id}/parameters")["parameters"]

    def cls(self, values: Sequence[float], **options: Any) -> dict:
        """Asymptotic CLs at signal-strength values (binned likelihoods)."""
        return self._post("cls", {"values": list(_plain(values)), **options})

    def upper_limit(self, **options: Any) -> dict:
        return self._post("upper-limit", options)

    def _post(self, operation: str, body: dict) -> Any:
        return self.client.request("POST", f"/v1/likelihoods/{self.id}/{operation}", body)


class Combination(_Operations):
    """A combination of published likelihoods, made by the service at each request."""

    def __init__(self, likelihoods: Sequence[str], rename: Mapping | None = None, correlate: Sequence[str] | None = None, base: str = DEFAULT_BASE, client: Client | None = None):
        self.spec: dict = {"likelihoods": list(likelihoods)}
        if rename:
            self.spec["rename"] = dict(rename)
        if correlate:
            self.spec["correlate"] = list(correlate)
        self.client = client or Client(base)

    def parameters(self) -> list[str]:
        if self._interest is None:
            # the answer names the parameters its gradient covers: the parameters of interest
            self._interest = self._post("nll", {"points": [{}]})["parameters"]
        return self._interest

    def _post(self, operation: str, body: dict) -> Any:
        return self.client.request("POST", f"/v1/combinations/{operation}", {**self.spec, **body})


def combine(likelihoods: Iterable[str], rename: Mapping | None = None, correlate: Sequence[str] | None = None, base: str = DEFAULT_BASE, client: Client | None = None) -> Combination:
    """A combination: parameters of interest shared by name (after ``rename``), nuisances each member's own unless correlated."""
    return Combination(list(likelihoods), rename, correlate, base, client)


def _plain(value: Any) -> Any:
    """numpy arrays and scalars as lists and floats (anything with tolist())."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    try:
        return float(error.headers.get("retry-after", ""))
    except ValueError:
        return None


def _problem(error: urllib.error.HTTPError) -> ServiceError:
    try:
        body = json.loads(error.read() or b"{}")
    except ValueError:
        body = {}
    return ServiceError(error.code, body.get("code", "http-error"), body.get("detail", error.reason), body.get("errors"))
