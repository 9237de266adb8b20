"""The subscription API (`jiit-assets serve`) with good and hostile bodies, against FerretDB."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest
from pymongo import MongoClient

from jiit_assets.defs.delivery.webpush_fanout import load_subscriptions
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.push_subscription import EndpointPolicy
from jiit_assets.defs.subscribers.web import ServeConfigError, WebSettings, create_app
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS
from jiit_assets_tests.fixtures.servers import free_port
from jiit_assets_tests.subscribers.support import browser_subscription, off_curve_point, running_app

CAMPUS_APP = "https://placements.jiit.example.in"


@pytest.fixture
def settings(vapid_keys):
    return WebSettings(
        vapid_public_key=vapid_keys.public, policy=EndpointPolicy(), cors_origins=(CAMPUS_APP,)
    )


@pytest.fixture
def collection(mongo):
    return mongo.collection(PUSH_SUBSCRIPTIONS)


@contextlib.contextmanager
def serving(settings, collection):
    with running_app(create_app(settings, collection)) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture
def client(settings, collection):
    with serving(settings, collection) as client:
        yield client


def test_vapid_key_and_health(client, vapid_keys):
    assert client.get("/api/push/vapid-key").json() == {"publicKey": vapid_keys.public}
    assert client.get("/health").json() == {"status": "healthy", "database": "ok", "web_push": True}


def test_without_vapid_the_key_and_subscribe_answer_501(settings, collection):
    app = create_app(WebSettings(vapid_public_key="", policy=settings.policy), collection)
    with running_app(app) as url, httpx.Client(base_url=url) as client:
        key = client.get("/api/push/vapid-key")
        assert key.status_code == 501 and "VAPID_PUBLIC_KEY is not set" in key.json()["error"]
        answer = client.post("/api/push/subscribe", json=browser_subscription())
        assert answer.status_code == 501 and answer.json()["success"] is False
    assert collection.count_documents({}) == 0


def test_subscribe_stores_what_delivery_reads_and_unsubscribe_removes_it(client, collection):
    data = browser_subscription()
    answer = client.post("/api/push/subscribe", json={**data, "user_id": "2210xxxx"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["success"] is True and body["created"] is True
    stored = collection.find_one({"_id": body["id"]})
    assert stored["endpoint"] == data["endpoint"] and stored["keys"] == data["keys"]
    assert stored["user_id"] == "2210xxxx" and stored["source"] == "web" and "profile" not in stored
    assert [s.endpoint for s in load_subscriptions(collection)] == [data["endpoint"]]

    again = client.post("/api/push/subscribe", json=data)  # a browser re-subscribing on every visit
    assert again.status_code == 200 and again.json()["created"] is False
    assert collection.count_documents({}) == 1

    gone = client.post("/api/push/unsubscribe", json={"endpoint": data["endpoint"]})
    assert gone.json() == {"success": True, "id": body["id"], "removed": True}
    assert collection.count_documents({}) == 0
    repeat = client.post("/api/push/unsubscribe", json=data)  # the older system's full body
    assert repeat.status_code == 200 and repeat.json()["removed"] is False


def test_subscribe_with_a_profile_stores_the_one_profile_model(client, collection):
    data = browser_subscription()
    profile = {
        "branch": "CSE",
        "batch": "2027",
        "enrollment": "2210-3045",
        "categories": ["job_posting", "shortlisting"],
        "min_ctc_lpa": "6.5",
        "muted_companies": "Acme Corp, Initech",
        "digest": "daily",
        "digest_hour": "21",
        "quiet_hours": True,
        "reminders": False,
    }
    answer = client.post("/api/push/subscribe", json={**data, "profile": profile})
    assert answer.status_code == 201, answer.text
    stored = Profile.from_document(collection.find_one({"_id": answer.json()["id"]})["profile"])
    assert stored.branch == "CSE" and stored.batch == 2027 and stored.enrollment == "22103045"
    assert sorted(stored.categories) == ["job_posting", "shortlisting"]
    assert stored.min_ctc_lpa == 6.5 and stored.digest == "daily" and stored.digest_hour == 21
    assert stored.quiet_hours is True and stored.reminders is False and len(stored.muted_companies) == 2

    # Re-subscribing without a profile keeps it; a new profile replaces it.
    client.post("/api/push/subscribe", json=data)
    assert collection.find_one({})["profile"]["branch"] == "CSE"
    client.post("/api/push/subscribe", json={**data, "profile": {"batch": 2026}})
    replaced = Profile.from_document(collection.find_one({})["profile"])
    assert replaced.batch == 2026 and replaced.branch is None


def _post_raw(client, body: bytes | str, content_type="application/json", headers=None):
    return client.post(
        "/api/push/subscribe", content=body, headers={"Content-Type": content_type, **(headers or {})}
    )


def _json(data) -> str:
    return json.dumps(data)


def _changed(**changes):
    data = browser_subscription()
    for name, value in changes.items():
        if name in ("p256dh", "auth"):
            data["keys"] = {**data["keys"], name: value}
        else:
            data[name] = value
    return _json(data)


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ("{broken", 400, "not valid JSON"),
        ("", 400, "not valid JSON"),
        ("[" * 4000 + "]" * 4000, 400, "not valid JSON"),
        ("[1, 2]", 400, "must be a JSON object"),
        (_changed(p256dh="%%%not-base64%%%"), 400, "keys.p256dh: not base64url"),
        (_changed(p256dh=off_curve_point()), 400, "not a point on the P-256 curve"),
        (_changed(auth="AAAA"), 400, "keys.auth: must be 16 bytes"),
        (_changed(endpoint="http://fcm.googleapis.com/fcm/send/abc"), 400, "must be an https URL"),
        (_changed(endpoint="https://127.0.0.1:8443/push/abc"), 400, "addresses and local host names"),
        (_changed(endpoint="https://fcm.googleapis.com:99999/fcm/send/abc"), 400, "port is not a number"),
        (_changed(endpoint="https://attacker.example/steal"), 400, "not a known push service"),
        (_changed(admin=True), 400, "unknown field 'admin'"),
        (_changed(user_id={"$ne": None}), 400, "user_id: a string or an integer"),
        (_changed(profile={"batch": "1999"}), 400, "batch: 1999 is not a graduation year"),
        (_changed(profile={"colour": "blue"}), 400, "colour: unknown setting"),
        (_changed(profile="CSE"), 400, "profile: an object of settings"),
        ('{"endpoint": "x"' + " " * 9000 + "}", 413, "larger than 8192 bytes"),
    ],
)
def test_hostile_bodies_get_a_clear_4xx_json_error_and_store_nothing(
    client, collection, body, status, reason
):
    answer = _post_raw(client, body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["success"] is False and reason in answer.json()["error"]
    assert collection.count_documents({}) == 0


def test_a_chunked_body_over_the_cap_is_cut_off(client, collection):
    def chunks():
        for _ in range(100):
            yield b" " * 1024

    answer = client.post(
        "/api/push/subscribe", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413 and "larger than" in answer.json()["error"]
    assert collection.count_documents({}) == 0


def test_other_content_types_and_routes(client, collection):
    form = _post_raw(client, _json(browser_subscription()), content_type="text/plain")
    assert form.status_code == 415 and "application/json" in form.json()["error"]
    assert client.get("/api/push/subscribe").status_code == 405
    missing = client.get("/api/push/nothing")
    assert missing.status_code == 404 and missing.json() == {
        "success": False,
        "error": "no such API route or method.",
    }
    assert collection.count_documents({}) == 0


def test_each_client_gets_a_limited_number_of_writes(settings, collection):
    limited = WebSettings(
        vapid_public_key=settings.vapid_public_key, policy=settings.policy, rate_limit="3/minute"
    )
    with serving(limited, collection) as client:
        answers = [client.post("/api/push/subscribe", json=browser_subscription()) for _ in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 201]
        refused = client.post("/api/push/subscribe", json=browser_subscription())
        assert refused.status_code == 429
        assert "too many requests" in refused.json()["error"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        # Garbage counts too, and unsubscribes share the budget.
        assert client.post("/api/push/unsubscribe", json={"endpoint": "x"}).status_code == 429
        assert client.get("/api/push/vapid-key").status_code == 200  # reads are not limited
    assert collection.count_documents({}) == 3


def test_cors_only_for_configured_origins(client, collection):
    allowed = client.options(
        "/api/push/subscribe",
        headers={
            "Origin": CAMPUS_APP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == CAMPUS_APP
    foreign = client.options(
        "/api/push/subscribe",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert foreign.status_code == 400 and "access-control-allow-origin" not in foreign.headers

    from_app = client.post("/api/push/subscribe", json=browser_subscription(), headers={"Origin": CAMPUS_APP})
    assert from_app.status_code == 201 and from_app.headers["access-control-allow-origin"] == CAMPUS_APP
    same_site = client.post(
        "/api/push/subscribe",
        json=browser_subscription(),
        headers={"Origin": str(client.base_url).rstrip("/")},
    )
    assert same_site.status_code == 201
    # Behind a TLS proxy the page is https while this server sees http: the host decides.
    behind_proxy = client.post(
        "/api/push/subscribe",
        json=browser_subscription(),
        headers={"Origin": str(client.base_url).rstrip("/").replace("http://", "https://")},
    )
    assert behind_proxy.status_code == 201
    hostile = client.post(
        "/api/push/subscribe", json=browser_subscription(), headers={"Origin": "https://evil.example"}
    )
    assert hostile.status_code == 403 and "SUBSCRIBE_CORS_ORIGINS" in hostile.json()["error"]
    assert "access-control-allow-origin" not in hostile.headers
    assert collection.count_documents({}) == 3


def test_the_page_and_service_worker_are_served_without_outside_code(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'value="job_posting"' in page.text and 'value="placement_offer"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    worker = client.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert 'addEventListener("push"' in worker.text and 'addEventListener("notificationclick"' in worker.text
    assert client.get("/icon.png").content.startswith(b"\x89PNG")
    assert client.get("/app.js").status_code == 200


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({"VAPID_PUBLIC_KEY": "abc"}, "VAPID_PUBLIC_KEY is not an uncompressed P-256"),
        ({"SUBSCRIBE_CORS_ORIGINS": "https://app.example.in/path"}, "SUBSCRIBE_CORS_ORIGINS"),
        ({"SUBSCRIBE_RATE_LIMIT": "lots"}, "SUBSCRIBE_RATE_LIMIT"),
        ({"WEB_PUSH_EXTRA_ORIGINS": "nonsense"}, "WEB_PUSH_EXTRA_ORIGINS"),
    ],
)
def test_bad_settings_are_named(environ, reason):
    with pytest.raises(ServeConfigError, match=reason):
        WebSettings.from_env(environ)


def test_settings_from_the_environment(vapid_keys):
    settings = WebSettings.from_env(
        {
            "VAPID_PUBLIC_KEY": vapid_keys.public,
            "SUBSCRIBE_CORS_ORIGINS": "https://a.example.in, https://b.example.in/",
            "SUBSCRIBE_RATE_LIMIT": "5/second",
        }
    )
    assert settings.cors_origins == ("https://a.example.in", "https://b.example.in")
    assert settings.rate_limit == "5/second" and settings.vapid_public_key == vapid_keys.public


def test_an_unreachable_database_answers_503_and_the_health_check_says_so(settings):
    unreachable = MongoClient(f"mongodb://127.0.0.1:{free_port()}/", serverSelectionTimeoutMS=300)
    try:
        app = create_app(settings, unreachable["jiit"][PUSH_SUBSCRIPTIONS])
        with running_app(app) as url, httpx.Client(base_url=url) as client:
            answer = client.post("/api/push/subscribe", json=browser_subscription())
            assert answer.status_code == 503 and "nothing was changed" in answer.json()["error"]
            assert answer.headers["Retry-After"] == "30"
            assert client.post("/api/push/unsubscribe", json=browser_subscription()).status_code == 503
            health = client.get("/health")
            assert health.status_code == 503 and health.json()["database"] == "unreachable"
    finally:
        unreachable.close()


def test_a_student_can_leave_after_the_allow_list_was_narrowed(settings, collection):
    data = browser_subscription()
    with serving(settings, collection) as client:
        assert client.post("/api/push/subscribe", json=data).status_code == 201
    narrowed = WebSettings(
        vapid_public_key=settings.vapid_public_key, policy=EndpointPolicy(hosts=("push.example.in",))
    )
    with serving(narrowed, collection) as client:
        assert client.post("/api/push/subscribe", json=data).status_code == 400
        assert client.post("/api/push/unsubscribe", json=data).json()["removed"] is True
        missing = client.post("/api/push/unsubscribe", json={"endpoint": ""})
        assert missing.status_code == 400 and "endpoint" in missing.json()["error"]
    assert collection.count_documents({}) == 0


def test_the_page_api_rejects_bad_digest_and_quiet_hour_settings_with_the_reason(client, collection):
    data = browser_subscription()
    for profile, reason in (
        ({"digest": "weekly"}, "digest: choose instant, daily or both."),
        ({"digest": "daily", "digest_hour": "25"}, "digest_hour: give an hour from 0 to 23 (IST), e.g. 20."),
        ({"digest_hour": "eight"}, "digest_hour: give an hour from 0 to 23 (IST), e.g. 20."),
        ({"quiet_hours": "sometimes"}, "quiet_hours: say on or off."),
    ):
        answer = client.post("/api/push/subscribe", json={**data, "profile": profile})
        assert answer.status_code == 400 and answer.json()["error"] == reason
    assert collection.count_documents({}) == 0  # nothing stored for a bad value
    answer = client.post(
        "/api/push/subscribe", json={**data, "profile": {"digest": "both", "digest_hour": "7"}}
    )
    assert answer.json()["profile"]["digest"] == "both" and answer.json()["profile"]["digest_hour"] == 7


def test_the_page_offers_digest_mode_digest_hour_and_quiet_hours(client):
    page = client.get("/").text
    assert '<select id="digest" name="digest">' in page and 'value="daily"' in page and 'value="both"' in page
    assert 'id="digest_hour"' in page and 'id="quiet_hours"' in page
