"""Step tag concurrency limits: within a run, at most N steps whose op holds a tag at once."""

from __future__ import annotations

import itertools
import time

from tagbase import Client, job, multiprocess_executor, op


def _worker_op(index: int) -> object:
    @op(name=f"load_{index}", tags={"database": "redshift"})
    def load() -> int:
        time.sleep(0.3)
        return index

    return load


LOADS = [_worker_op(index) for index in range(3)]


@job(
    executor_def=multiprocess_executor.configured(
        {
            "max_concurrent": 3,
            "tag_concurrency_limits": [{"key": "database", "value": "redshift", "limit": 1}],
        }
    )
)
def loads() -> None:
    for load in LOADS:
        load()  # type: ignore[operator]


def test_limited_steps_do_not_overlap(client: Client) -> None:
    result = loads.execute_in_process()
    assert result.success
    steps = sorted(client.list_run_steps(result.run_id), key=lambda s: s.started_at)  # type: ignore[arg-type, return-value]
    for before, after in itertools.pairwise(steps):
        assert before.ended_at is not None
        assert after.started_at is not None
        assert before.ended_at <= after.started_at
