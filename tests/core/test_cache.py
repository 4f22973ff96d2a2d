"""ETag revalidation across writes from another connection, on each backend: a kept answer is
never served once the data changed."""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from app.core.config import Settings
from tests.core.support import serve, wait_until


class TestRevalidation:
    def test_etag_304_and_a_new_etag_after_a_write(self, backend: str, fresh_url: str) -> None:
        path = "/api/v1/passages"
        params = {"theme": "seguridad-colectiva"}
        with serve(Settings(database_url=fresh_url)) as client:
            first = client.get(path, params=params)
            assert first.status_code == 200
            etag = first.headers["etag"]
            assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
            assert first.headers["cache-control"] == "no-cache"
            again = client.get(path, params=params)
            assert again.headers["etag"] == etag
            assert again.content == first.content
            revalidated = client.get(path, params=params, headers={"If-None-Match": etag})
            assert revalidated.status_code == 304
            assert revalidated.content == b""
            assert revalidated.headers["etag"] == etag
            assert revalidated.headers["cache-control"] == "no-cache"
            weak = client.get(path, params=params, headers={"If-None-Match": f"W/{etag}, x"})
            assert weak.status_code == 304

            (first_id, *_) = [item["id"] for item in first.json()["items"]]
            engine = create_engine(fresh_url)
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE passages SET note = 'revised' WHERE id = :id"), {"id": first_id}
                )
            engine.dispose()

            changed: list[httpx.Response] = []

            def refreshed() -> bool:
                response = client.get(path, params=params, headers={"If-None-Match": etag})
                changed.append(response)
                status: int = response.status_code
                return status == 200

            wait_until(refreshed, 2, "the write to show")
            response = changed[-1]
            assert response.headers["etag"] != etag
            assert response.json()["items"][0]["note"] == "revised"
            new = client.get(
                path, params=params, headers={"If-None-Match": response.headers["etag"]}
            )
            assert new.status_code == 304

    def test_identical_requests_in_flight_are_answered_once(
        self, backend: str, fresh_url: str
    ) -> None:
        calls: list[str] = []

        def slow_route(app: FastAPI) -> None:
            @app.get("/slow", include_in_schema=False)
            async def slow(word: str) -> dict[str, str]:
                calls.append(word)
                await asyncio.sleep(0.3)
                return {"word": word, "call": str(len(calls))}

        with serve(Settings(database_url=fresh_url), slow_route) as client:

            def ask(word: str) -> httpx.Response:
                response: httpx.Response = client.get("/slow", params={"word": word})
                return response

            with ThreadPoolExecutor(max_workers=10) as pool:
                answers = list(pool.map(ask, ["same"] * 8 + ["other"] * 2))
        assert all(answer.status_code == 200 for answer in answers)
        same = {(answer.content, answer.headers["etag"]) for answer in answers[:8]}
        assert len(same) == 1, "the waiting requests got the first one's answer"
        assert sorted(calls) == ["other", "same"], "each distinct request ran once"

    def test_not_coalesced_when_the_cache_is_off(self, seeded_url: str) -> None:
        calls: list[int] = []

        def slow_route(app: FastAPI) -> None:
            @app.get("/slow", include_in_schema=False)
            async def slow() -> dict[str, int]:
                calls.append(1)
                await asyncio.sleep(0.2)
                return {"calls": len(calls)}

        settings = Settings(database_url=seeded_url, response_cache_bytes=0)
        with serve(settings, slow_route) as client, ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: client.get("/slow"), range(4)))
        assert [answer.status_code for answer in answers] == [200] * 4
        assert len(calls) == 4
