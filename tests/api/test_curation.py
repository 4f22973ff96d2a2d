"""The write API on both backends: keys and scopes, every verb, preconditions, cascades,
auto-linking and the audit log."""

from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from app.repositories import base
from tests.keys import bearer, make_key

NEW_PASSAGE = (
    "En 1955 la Unión Soviética defendió la coexistencia pacífica ante los estados del "
    "Tercer Mundo."
)


@pytest.fixture
def writer(writable_url: str) -> dict[str, str]:
    return bearer(make_key(writable_url, "write"))


@pytest.fixture
def admin(writable_url: str) -> dict[str, str]:
    return bearer(make_key(writable_url, "admin"))


def etag(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return str(response.headers["etag"])


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


class TestKeys:
    def test_reads_need_no_key(self, writable_client: TestClient) -> None:
        assert writable_client.get("/api/v1/actors/kgb").status_code == 200

    def test_write_without_key_is_401(self, writable_client: TestClient) -> None:
        response = writable_client.post("/api/v1/themes", json={"name": "Desarme"})
        problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "value", ["Bearer nope", "Bearer anl_00000000_secret", "Basic dXNlcjpwYXNz"]
    )
    def test_unknown_key_is_401(self, writable_client: TestClient, value: str) -> None:
        response = writable_client.post(
            "/api/v1/themes", json={"name": "Desarme"}, headers={"Authorization": value}
        )
        problem(response, 401)

    def test_key_without_scope_is_403(self, writable_client: TestClient, writable_url: str) -> None:
        reader = bearer(make_key(writable_url))
        problem(
            writable_client.post("/api/v1/themes", json={"name": "Desarme"}, headers=reader), 403
        )

    def test_audit_needs_admin(
        self, writable_client: TestClient, writer: dict[str, str], admin: dict[str, str]
    ) -> None:
        problem(writable_client.get("/api/v1/audit", headers=writer), 403)
        assert writable_client.get("/api/v1/audit", headers=admin).status_code == 200

    def test_tampered_secret_is_401(self, writable_client: TestClient, writable_url: str) -> None:
        key = make_key(writable_url, "write")
        tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
        response = writable_client.post(
            "/api/v1/themes", json={"name": "Desarme"}, headers=bearer(tampered)
        )
        problem(response, 401)


class TestCreateEntity:
    def test_created_with_location_and_etag(
        self, writable_client: TestClient, writer: dict[str, str], admin: dict[str, str]
    ) -> None:
        body = {
            "name": "Desarme nuclear",
            "name_en": "Nuclear disarmament",
            "aliases": ["desarme"],
            "description": "Reducción de los arsenales nucleares.",
        }
        response = writable_client.post("/api/v1/themes", json=body, headers=writer)
        assert response.status_code == 201, response.text
        assert response.headers["location"] == "/api/v1/themes/desarme-nuclear"
        stored = response.json()
        assert stored["slug"] == "desarme-nuclear"
        assert stored["aliases"] == ["desarme"]
        fetched = writable_client.get(response.headers["location"])
        assert fetched.json() == stored
        assert fetched.headers["etag"] == response.headers["etag"]
        log = writable_client.get("/api/v1/audit", headers=admin).json()["items"]
        assert [(e["action"], e["resource"], e["identifier"]) for e in log] == [
            ("create", "themes", "desarme-nuclear")
        ]
        assert log[0]["before"] is None
        assert log[0]["after"]["name_en"] == "Nuclear disarmament"

    def test_event_with_links(self, writable_client: TestClient, writer: dict[str, str]) -> None:
        body = {
            "name": "Cumbre de Reikiavik",
            "date": "1986-10-11/1986-10-12",
            "actors": ["mijail-gorbachov", "estados-unidos"],
            "periods": ["etapa-de-gorbachov"],
        }
        response = writable_client.post("/api/v1/events", json=body, headers=writer)
        assert response.status_code == 201, response.text
        event = response.json()
        assert (event["start_year"], event["end_year"]) == (1986, 1986)
        assert {a["slug"] for a in event["actors"]} == {"mijail-gorbachov", "estados-unidos"}
        listed = writable_client.get("/api/v1/events", params={"actor": "mijail-gorbachov"})
        assert "cumbre-de-reikiavik" in [e["slug"] for e in listed.json()["items"]]

    def test_duplicate_slug_is_409(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        response = writable_client.post(
            "/api/v1/themes", json={"name": "Espionaje"}, headers=writer
        )
        problem(response, 409)

    @pytest.mark.parametrize(
        ("path", "body", "name"),
        [
            ("/api/v1/events", {"name": "X", "date": "1939-13-45"}, "date"),
            ("/api/v1/events", {"name": "X", "date": "1939", "actors": ["nadie"]}, "actors"),
            ("/api/v1/periods", {"name": "X", "start_year": 1950, "end_year": 1940}, "body"),
            (
                "/api/v1/periods",
                {"name": "X", "start_year": 1, "end_year": 2, "parent": "no"},
                "parent",
            ),
            ("/api/v1/actors", {"name": "X", "kind": "alien"}, "kind"),
            ("/api/v1/themes", {"name": "X", "colour": "red"}, "colour"),
            ("/api/v1/themes", {"name": "X\u0000"}, "name"),
        ],
    )
    def test_invalid_body_is_422_naming_the_field(
        self,
        writable_client: TestClient,
        writer: dict[str, str],
        path: str,
        body: dict[str, Any],
        name: str,
    ) -> None:
        found = problem(writable_client.post(path, json=body, headers=writer), 422)
        assert name in [p["name"] for p in found["invalid_params"]], found


class TestPreconditions:
    PATH = "/api/v1/actors/kgb"

    def test_put_without_if_match_is_428(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        body = writable_client.get(self.PATH).json()
        problem(writable_client.put(self.PATH, json=_create_body(body), headers=writer), 428)

    @pytest.mark.parametrize("method", ["PATCH", "DELETE"])
    def test_other_writes_need_if_match_too(
        self, writable_client: TestClient, writer: dict[str, str], method: str
    ) -> None:
        response = writable_client.request(method, self.PATH, json={"note": "x"}, headers=writer)
        problem(response, 428)

    def test_stale_etag_is_412(self, writable_client: TestClient, writer: dict[str, str]) -> None:
        tag = etag(writable_client, self.PATH)
        first = writable_client.patch(
            self.PATH, json={"note": "primera"}, headers={**writer, "If-Match": tag}
        )
        assert first.status_code == 200, first.text
        assert first.json()["note"] == "primera"
        second = writable_client.patch(
            self.PATH, json={"note": "segunda"}, headers={**writer, "If-Match": tag}
        )
        problem(second, 412)
        assert writable_client.get(self.PATH).json()["note"] == "primera"

    def test_etag_read_in_english_is_accepted(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        english = writable_client.get(self.PATH, params={"lang": "en"})
        spanish = writable_client.get(self.PATH)
        assert english.headers["etag"] != spanish.headers["etag"]
        response = writable_client.patch(
            self.PATH,
            json={"note": "leído en inglés"},
            headers={**writer, "If-Match": english.headers["etag"]},
        )
        assert response.status_code == 200, response.text

    def test_put_replaces_and_keeps_slug(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        current = writable_client.get(self.PATH)
        body = _create_body(current.json()) | {"role": "Policía política", "slug": None}
        response = writable_client.put(
            self.PATH, json=body, headers={**writer, "If-Match": current.headers["etag"]}
        )
        assert response.status_code == 200, response.text
        assert response.json()["slug"] == "kgb"
        assert response.json()["role"] == "Policía política"
        assert response.headers["etag"] == etag(writable_client, self.PATH)

    def test_change_shows_in_lists_at_once(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        before = writable_client.get("/api/v1/actors", params={"q": "checa"}).json()["total"]
        tag = etag(writable_client, self.PATH)
        writable_client.patch(
            self.PATH, json={"aliases": ["Checa"]}, headers={**writer, "If-Match": tag}
        )
        after = writable_client.get("/api/v1/actors", params={"q": "checa"}).json()
        assert (before, [a["slug"] for a in after["items"]]) == (0, ["kgb"])


class TestMergePatch:
    PATH = "/api/v1/actors/kgb"

    def test_null_puts_a_field_back_to_its_default(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        before = writable_client.get(self.PATH).json()
        assert before["aliases"]
        assert before["description"]
        response = writable_client.patch(
            self.PATH,
            json={"aliases": None, "description": None, "note": None},
            headers={**writer, "If-Match": etag(writable_client, self.PATH)},
        )
        assert response.status_code == 200, response.text
        after = response.json()
        assert (after["aliases"], after["description"], after["note"]) == ([], "", None)
        assert after["name"] == before["name"]

    @pytest.mark.parametrize("field", ["name", "kind"])
    def test_null_for_a_field_it_cannot_be_without_is_422(
        self, writable_client: TestClient, writer: dict[str, str], field: str
    ) -> None:
        response = writable_client.patch(
            self.PATH,
            json={field: None},
            headers={**writer, "If-Match": etag(writable_client, self.PATH)},
        )
        body = problem(response, 422)
        assert [p["name"] for p in body["invalid_params"]] == [field]

    @pytest.mark.parametrize("value", ["   ", "Che\x01ka"])
    def test_blank_or_control_characters_in_a_name_are_422(
        self, writable_client: TestClient, writer: dict[str, str], value: str
    ) -> None:
        response = writable_client.patch(
            self.PATH,
            json={"name": value},
            headers={**writer, "If-Match": etag(writable_client, self.PATH)},
        )
        body = problem(response, 422)
        assert [p["name"] for p in body["invalid_params"]] == ["name"]


def _create_body(detail: dict[str, Any]) -> dict[str, Any]:
    fields = ("name", "name_en", "description", "description_en", "aliases", "note", "kind")
    body = {key: detail[key] for key in fields if key in detail}
    return body | {k: detail[k] for k in ("role", "start_year", "end_year") if k in detail}


class TestDelete:
    def test_linked_entity_is_409_then_cascade(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        path = "/api/v1/themes/espionaje"
        linked = [p["id"] for p in writable_client.get(path).json()["passages"]]
        assert linked
        problem(
            writable_client.delete(
                path, headers={**writer, "If-Match": etag(writable_client, path)}
            ),
            409,
        )
        response = writable_client.delete(
            path,
            params={"cascade": "links"},
            headers={**writer, "If-Match": etag(writable_client, path)},
        )
        assert response.status_code == 204
        assert writable_client.get(path).status_code == 404
        for passage_id in linked:
            passage = writable_client.get(f"/api/v1/passages/{passage_id}").json()
            assert "espionaje" not in [t["slug"] for t in passage["themes"]]

    def test_unlinked_entity_is_deleted(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        created = writable_client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
        path = created.headers["location"]
        response = writable_client.delete(
            path, headers={**writer, "If-Match": created.headers["etag"]}
        )
        assert response.status_code == 204

    def test_delete_passage(self, writable_client: TestClient, writer: dict[str, str]) -> None:
        path = "/api/v1/passages/8"
        response = writable_client.delete(
            path, headers={**writer, "If-Match": etag(writable_client, path)}
        )
        assert response.status_code == 204
        assert writable_client.get(path).status_code == 404
        kgb = writable_client.get("/api/v1/actors/kgb").json()
        assert [p["id"] for p in kgb["passages"]] == [9]

    def test_a_deleted_passage_id_is_never_given_again(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        body = {"text": NEW_PASSAGE, "links": {}}
        newest = writable_client.post("/api/v1/passages", json=body, headers=writer)
        assert newest.status_code == 201, newest.text
        deleted = writable_client.delete(
            newest.headers["location"], headers={**writer, "If-Match": newest.headers["etag"]}
        )
        assert deleted.status_code == 204
        again = writable_client.post("/api/v1/passages", json=body, headers=writer)
        assert again.status_code == 201, again.text
        assert again.json()["id"] > newest.json()["id"]
        assert writable_client.get(newest.headers["location"]).status_code == 404


class TestAutoLinking:
    def test_new_passage_is_linked_and_dated(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        response = writable_client.post(
            "/api/v1/passages", json={"text": NEW_PASSAGE}, headers=writer
        )
        assert response.status_code == 201, response.text
        passage = response.json()
        assert (passage["start_year"], passage["end_year"]) == (1955, 1955)
        assert "union-sovietica" in [a["slug"] for a in passage["actors"]]
        assert "coexistencia-pacifica" in [t["slug"] for t in passage["themes"]]
        assert "tercer-mundo" in [r["slug"] for r in passage["regions"]]
        assert [p["slug"] for p in passage["periods"]] == ["guerra-fria"]
        spans = {(m["slug"], m["text"]) for m in passage["matches"] if m["text"]}
        assert ("coexistencia-pacifica", "coexistencia pacífica") in spans
        assert ("tercer-mundo", "Tercer Mundo") in spans
        for match in passage["matches"]:
            if match["text"] is not None:
                assert NEW_PASSAGE[match["start"] : match["end"]] == match["text"]
        found = writable_client.get("/api/v1/passages", params={"era": "guerra-fria"}).json()
        assert passage["id"] in [p["id"] for p in found["items"]]

    def test_dry_run_stores_nothing(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        total = writable_client.get("/api/v1/passages").json()["total"]
        response = writable_client.post(
            "/api/v1/passages",
            params={"dry_run": "true"},
            json={"text": NEW_PASSAGE},
            headers=writer,
        )
        assert response.status_code == 200
        preview = response.json()
        assert preview["links"]["themes"] == ["coexistencia-pacifica"]
        assert writable_client.get("/api/v1/passages").json()["total"] == total

    def test_longest_match_is_the_event(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        text = "El Pacto Ribbentrop-Mólotov se firmó en Moscú."
        preview = writable_client.post(
            "/api/v1/passages", params={"dry_run": "true"}, json={"text": text}, headers=writer
        ).json()
        assert preview["links"]["events"] == ["pacto-ribbentrop-molotov"]
        assert "viacheslav-molotov" not in preview["links"]["actors"]
        assert "joachim-von-ribbentrop" not in preview["links"]["actors"]

    def test_explicit_links_are_kept(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        body = {
            "text": NEW_PASSAGE,
            "links": {"themes": ["espionaje"]},
            "start_year": 1950,
            "end_year": 1960,
        }
        passage = writable_client.post("/api/v1/passages", json=body, headers=writer).json()
        assert [t["slug"] for t in passage["themes"]] == ["espionaje"]
        assert passage["actors"] == []
        assert (passage["start_year"], passage["end_year"]) == (1950, 1960)

    def test_a_passage_continues_its_source(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        def periods(passage: dict[str, Any]) -> list[str]:
            return [p["slug"] for p in passage["periods"]]

        def post(text: str, **fields: str) -> dict[str, Any]:
            body = {"text": text, **fields}
            response = writable_client.post("/api/v1/passages", json=body, headers=writer)
            assert response.status_code == 201, response.text
            return cast(dict[str, Any], response.json())

        first = post("En 1972 la distensión alivió a Moscú.", source_file="memorias.txt")
        assert periods(first) == ["distension"]
        following = post("La Unión Soviética firmó tratados.", source_file="memorias.txt")
        assert periods(following) == ["distension"]
        assert (following["start_year"], following["end_year"]) == (None, None)
        reasons = [m["reason"] for m in following["matches"] if m["kind"] == "periods"]
        assert reasons == ["continues the previous passage"]
        # Relinked in place, it still follows the same passage.
        path = f"/api/v1/passages/{following['id']}"
        relinked = writable_client.patch(
            path, json={"links": None}, headers={**writer, "If-Match": etag(writable_client, path)}
        )
        assert relinked.status_code == 200, relinked.text
        assert periods(relinked.json()) == ["distension"]
        # Another source, or none, is not that article: the era its actors span.
        assert periods(post("La URSS firmó acuerdos.", source_file="otro.txt")) == [
            "periodo-sovietico"
        ]
        assert periods(post("La URSS firmó convenios.")) == ["periodo-sovietico"]

    def test_alias_then_relink(self, writable_client: TestClient, writer: dict[str, str]) -> None:
        path = "/api/v1/actors/komintern"
        assert [p["id"] for p in writable_client.get(path).json()["passages"]] == [5]
        tag = etag(writable_client, path)
        aliases = writable_client.get(path).json()["aliases"]
        writable_client.patch(
            path,
            json={"aliases": [*aliases, "Frentes Populares"]},
            headers={**writer, "If-Match": tag},
        )
        dry = writable_client.post(
            f"{path}/relink", params={"dry_run": "true"}, headers=writer
        ).json()
        assert [r["passage_id"] for r in dry["linked"]] == [6]
        assert dry["linked"][0]["match"]["text"] == "Frentes Populares"
        assert [p["id"] for p in writable_client.get(path).json()["passages"]] == [5]
        done = writable_client.post(f"{path}/relink", headers=writer).json()
        assert [r["passage_id"] for r in done["linked"]] == [6]
        assert [p["id"] for p in writable_client.get(path).json()["passages"]] == [5, 6]


class TestTextIndex:
    """`q` on the passage list answered from the substring index (the set plan, forced by
    a one-row walk) follows every write: a new text, a changed one, a deleted passage."""

    def test_follows_every_write(
        self,
        writable_client: TestClient,
        writer: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(base, "PAGE_WINDOW", 1)

        def found(q: str) -> list[int]:
            page = writable_client.get("/api/v1/passages", params={"q": q}).json()
            return [item["id"] for item in page["items"]]

        body = {"text": "El memorándum Zhdánov llegó a Varsovia.", "links": {}}
        created = writable_client.post("/api/v1/passages", json=body, headers=writer).json()
        assert found("zhdanov varsovia") == [created["id"]]
        assert found("ZHDÁNOV") == [created["id"]]
        assert found("zhdanovx") == []
        path = f"/api/v1/passages/{created['id']}"
        changed = writable_client.patch(
            path,
            json={"text": "El memorándum Kennan llegó a Varsovia."},
            headers={**writer, "If-Match": etag(writable_client, path)},
        )
        assert changed.status_code == 200, changed.text
        assert found("zhdanov") == []
        assert found("kennan") == [created["id"]]
        deleted = writable_client.delete(
            path, headers={**writer, "If-Match": etag(writable_client, path)}
        )
        assert deleted.status_code == 204
        assert found("kennan") == []
