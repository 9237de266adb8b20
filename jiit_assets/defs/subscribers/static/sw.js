// JIIT placement alerts: shows each pushed notice and opens it on click.
// A push carries JSON {title, body, url, notice_id, type}; anything else is shown as plain text.
"use strict";

const ICON = "/icon.png";

function safeUrl(value) {
  try {
    const url = new URL(value, self.location.origin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

function parse(event) {
  if (!event.data) return { title: "JIIT placement alerts", body: "" };
  try {
    const data = event.data.json();
    if (data && typeof data === "object") return data;
  } catch (error) {
    // not JSON: fall through to the text
  }
  return { title: "JIIT placement alerts", body: event.data.text() };
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const data = parse(event);
  const title = String(data.title || "JIIT placement alerts").slice(0, 200);
  const options = {
    body: String(data.body || "").slice(0, 1000),
    icon: ICON,
    badge: ICON,
    // One notification per notice: a push repeated after a crash replaces the first one.
    tag: data.notice_id ? String(data.notice_id) : undefined,
    data: { url: safeUrl(data.url || "/") || "/" },
  };
  event.waitUntil(
    self.registration.showNotification(title, options).then(() =>
      self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
        for (const client of windows) client.postMessage({ kind: "notification-shown", title, body: options.body });
      })
    )
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === url && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(url);
    })
  );
});
