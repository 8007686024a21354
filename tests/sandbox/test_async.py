"""``async with Sandbox()`` starts and stops the server off the event loop."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox

from .conftest import auth

pytestmark = pytest.mark.integration


class RecordingSandbox(Sandbox):
    """A sandbox that notes the thread its start and stop ran in."""

    threads: list[str]

    def start(self) -> Sandbox:
        self.threads = [threading.current_thread().name]
        return super().start()

    def stop(self) -> None:
        self.threads.append(threading.current_thread().name)
        super().stop()


async def test_async_with_serves_and_keeps_the_loop_free() -> None:
    loop_thread = threading.current_thread().name
    sb = RecordingSandbox(seed=0, speed=50)
    async with sb as entered:
        assert entered is sb
        async with httpx.AsyncClient(base_url=sb.base_url, headers=auth(sb.token)) as c:
            created = await c.post("/v1/discovery_tasks", json={"query": "async sandbox"})
            assert created.status_code == 200
            listed = await c.get("/v1/discovery_tasks")
            assert [t["id"] for t in listed.json()] == [created.json()["id"]]
    assert len(sb.threads) == 2 and loop_thread not in sb.threads
    with pytest.raises(RuntimeError):
        sb.base_url  # noqa: B018 - stopped


async def test_async_with_stops_on_error() -> None:
    sb = Sandbox(seed=0)
    with pytest.raises(ZeroDivisionError):
        async with sb:
            await asyncio.sleep(0)
            1 / 0  # noqa: B018
    with pytest.raises(RuntimeError):
        sb.base_url  # noqa: B018 - stopped
