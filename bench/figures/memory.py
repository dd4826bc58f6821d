"""Figure 5: what holding Queue costs a worker in memory.

Each round starts two fresh servers of one gunicorn worker each on the
shared database: the composed service, and Raptor alone (the flag off).
Both get the same requests: every Raptor route, and Queue's whole identity
flow (sign-up, sign-ins four at a time, introspection through Raptor's
/account), which Raptor alone answers 404 or 503. The worker's resident set
is read after boot and after these requests.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil

from ..measure import Result, at_most, median, spread
from ..seed import PASSWORD
from ..servers import Bench

NUMBER = 5
TITLE = "Memory"
METHOD = (
    "RSS of the one worker of a fresh composed server against that of Raptor "
    "alone, both sent the same requests (Raptor's routes and Queue's identity "
    "flow, argon2 included); difference after the requests, median over rounds."
)
GOAL = at_most(25, " MB more")
MB = 1_000_000
REPEAT = 20  # rounds of cheap requests after the identity flow
SIGN_INS_AT_ONCE = 4


def run(bench: Bench) -> Result:
    booted, warmed = [], []
    for _ in range(bench.budget.memory_rounds):
        with (
            bench.serve("composed", workers=1) as composed,
            bench.serve("raptor", workers=1) as alone,
        ):
            servers = (composed, alone)
            before = [_worker_rss(server.process.pid) for server in servers]
            for server in servers:
                _exercise(server.url)
            after = [_worker_rss(server.process.pid) for server in servers]
        booted.append((before[0] - before[1]) / MB)
        warmed.append((after[0] - after[1]) / MB)

    extra = median(warmed)
    shown = f"+{extra:.1f} MB (+{median(booted):.1f} MB just after boot)"
    details = [
        f"after the requests, MB: {spread(warmed)}",
        f"just after boot, MB: {spread(booted)}",
    ]
    return Result(NUMBER, TITLE, extra, shown, GOAL, METHOD, details)


def _worker_rss(master: int) -> int:
    workers = psutil.Process(master).children()
    if len(workers) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {len(workers)}")
    return int(workers[0].memory_info().rss)


def _exercise(url: str) -> None:
    """The same requests for either server; what each answers does not matter.

    Sign-ins go four at a time, so that the worker hashes as many passwords
    at once as Queue's cap allows, as it would under a morning's sign-ins.
    """
    email = f"memory-{uuid.uuid4().hex[:12]}@bench.example"
    account = {"email": email, "password": PASSWORD, "name": "Bench"}
    with httpx.Client(base_url=url, timeout=10.0, trust_env=False) as http:
        http.post("/api/v1/users", json=account)
        with ThreadPoolExecutor(SIGN_INS_AT_ONCE) as pool:
            answers = list(pool.map(lambda _: _sign_in(http, account), range(8)))
        bearer = {"Authorization": f"Bearer {answers[0]}"}
        for _ in range(REPEAT):
            for path in ("/", "/healthz", "/readyz", "/account", "/api/v1/"):
                http.get(path, headers=bearer)
            http.get("/api/v1/users/me", headers=bearer)
            http.get("/api/v1/openapi.json")


def _sign_in(http: httpx.Client, account: dict[str, str]) -> str:
    answer = http.post("/api/v1/sessions", json=account).json()
    return str(answer.get("access_token", "none"))
