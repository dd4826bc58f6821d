"""The repository's ``queue/`` folder never hides the standard library's ``queue``.

Heroku and gunicorn put the repository root first on ``sys.path``, where a
folder named ``queue`` sits. It must stay a plain folder, so that
``import queue`` (which ``concurrent.futures`` and ``logging.handlers`` need,
and with them gunicorn's gthread worker) still finds the standard library.
"""

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import ROOT

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import queue
import concurrent.futures
import logging.handlers
with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
    answer = pool.submit(lambda: 42).result()
print(json.dumps({
    "file": queue.__file__,
    "has_queue_class": hasattr(queue, "Queue"),
    "executor_answer": answer,
    "handler": type(logging.handlers.QueueHandler(queue.Queue())).__name__,
}))
"""


def _probe() -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_import_queue_with_root_first_is_stdlib() -> None:
    found = _probe()

    stdlib = Path(sysconfig.get_path("stdlib")).resolve()
    assert Path(str(found["file"])).resolve().parent == stdlib
    assert found["has_queue_class"] is True


def test_stdlib_users_of_queue_import_with_root_first() -> None:
    found = _probe()

    assert found["executor_answer"] == 42
    assert found["handler"] == "QueueHandler"


def test_queue_folder_is_not_a_package() -> None:
    assert (ROOT / "queue").is_dir()
    assert not (ROOT / "queue" / "__init__.py").exists()
