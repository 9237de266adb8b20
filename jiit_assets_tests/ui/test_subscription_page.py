"""The subscription page in Debian's headless Chromium: service worker, push, notification."""

from __future__ import annotations

import json
import time

import pytest

from jiit_assets.defs.subscribers.push_subscription import EndpointPolicy
from jiit_assets.defs.subscribers.web import WebSettings, create_app
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS
from jiit_assets_tests.subscribers.support import browser_subscription, running_app


@pytest.fixture
def serve_url(mongo, vapid_keys):
    settings = WebSettings(vapid_public_key=vapid_keys.public, policy=EndpointPolicy())
    with running_app(create_app(settings, mongo.collection(PUSH_SUBSCRIPTIONS))) as url:
        yield url


def test_a_push_delivered_to_the_service_worker_shows_a_notification(browser, serve_url, mongo):
    context = browser.new_context(base_url=serve_url, viewport={"width": 412, "height": 900})
    context.set_default_timeout(30_000)
    context.grant_permissions(["notifications"], origin=serve_url)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto("/")
        page.wait_for_selector("body[data-worker=ready]")
        assert page.locator("#status").inner_text() == "Notifications are off in this browser."
        assert page.locator("#subscribe").is_enabled()
        # The stylesheet and script load under the page's Content-Security-Policy (no inline code).
        header = page.evaluate("() => getComputedStyle(document.querySelector('header')).backgroundColor")
        assert header == "rgb(18, 53, 91)"
        assert page.locator("input[name=categories]").count() >= 9

        cdp = context.new_cdp_session(page)
        registrations: list[dict] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        deadline = time.monotonic() + 30
        while not [r for r in registrations if not r.get("isDeleted")] and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        registration = next(r for r in registrations if not r.get("isDeleted"))
        assert registration["scopeURL"] == f"{serve_url}/"

        payload = {
            "title": "Acme Corp: shortlist for SDE",
            "body": "12 students shortlisted; interviews on Friday.",
            "url": "https://app.joinsuperset.com/students/notices",
            "notice_id": "notice-42",
            "type": "shortlisting",
        }
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": serve_url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(payload),
            },
        )
        page.locator("#last", has_text="Acme Corp").wait_for()  # the worker told the page
        assert page.locator("#last").inner_text() == "Last notification: Acme Corp: shortlist for SDE"
        shown = page.evaluate(
            """async () => {
                const registration = await navigator.serviceWorker.ready;
                const list = await registration.getNotifications();
                return list.map((n) => ({title: n.title, body: n.body, icon: n.icon, tag: n.tag, data: n.data}));
            }"""
        )
        assert shown == [
            {
                "title": payload["title"],
                "body": payload["body"],
                "icon": f"{serve_url}/icon.png",
                "tag": "notice-42",
                "data": {"url": payload["url"]},
            }
        ]

        # The page's own calls pass the origin check: what app.js sends after pushManager.subscribe()
        # (which needs the browser vendor's push service, unreachable from a test machine).
        answer = page.evaluate(
            """async (subscription) => {
                const response = await fetch("/api/push/subscribe", {
                    method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({...subscription, profile: {branch: "IT", batch: "2026"}}),
                });
                return {status: response.status, body: await response.json()};
            }""",
            browser_subscription(),
        )
        assert answer["status"] == 201 and answer["body"]["profile"]["branch"] == "IT"
        assert mongo.collection(PUSH_SUBSCRIPTIONS).count_documents({}) == 1
        assert problems == []
    finally:
        context.close()
