// The subscription page: registers the service worker, subscribes with the server's VAPID key,
// and sends the subscription with the profile to /api/push/subscribe. No third-party code.
"use strict";

const PROFILE_KEY = "jiit-placement-profile";
const $ = (id) => document.getElementById(id);

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
}

function say(text, ok) {
  const message = $("message");
  message.textContent = text;
  message.className = ok ? "ok" : "";
}

function keyBytes(base64url) {
  const padded = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  return Uint8Array.from(raw, (char) => char.charCodeAt(0));
}

function readProfile() {
  const form = $("profile");
  const categories = Array.from(form.querySelectorAll("input[name=categories]"));
  const chosen = categories.filter((box) => box.checked).map((box) => box.value);
  return {
    branch: form.branch.value.trim(),
    batch: form.batch.value.trim(),
    enrollment: form.enrollment.value.trim(),
    // Every type ticked means "everything", also types added later.
    categories: chosen.length === categories.length ? [] : chosen,
    min_ctc_lpa: form.min_ctc_lpa.value.trim(),
    muted_companies: form.muted_companies.value.trim(),
    digest: form.digest.value,
    digest_hour: form.digest_hour.value.trim() || "20",
    quiet_hours: form.quiet_hours.checked,
    reminders: form.reminders.checked,
  };
}

function showProfile(profile) {
  const form = $("profile");
  for (const name of ["branch", "batch", "enrollment", "min_ctc_lpa", "muted_companies", "digest", "digest_hour"]) {
    if (profile[name] !== undefined && profile[name] !== null) form[name].value = profile[name];
  }
  form.quiet_hours.checked = Boolean(profile.quiet_hours);
  form.reminders.checked = profile.reminders !== false;
  const wanted = profile.categories || [];
  for (const box of form.querySelectorAll("input[name=categories]")) {
    box.checked = wanted.length === 0 || wanted.includes(box.value);
  }
}

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch (error) {
    answer = { error: `the server answered ${response.status}` };
  }
  if (!response.ok) throw new Error(answer.error || `the server answered ${response.status}`);
  return answer;
}

async function serverKey() {
  const response = await fetch("/api/push/vapid-key");
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || "the server has no push key");
  return answer.publicKey;
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true;
  const bytes = new Uint8Array(current);
  const wanted = keyBytes(key);
  return bytes.length === wanted.length && bytes.every((value, index) => value === wanted[index]);
}

async function subscribe(registration) {
  const key = await serverKey();
  if (Notification.permission !== "granted" && (await Notification.requestPermission()) !== "granted") {
    throw new Error("notifications are blocked for this site; allow them in the browser's site settings");
  }
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe(); // the server's key changed: the old subscription is useless
    subscription = null;
  }
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  }
  const profile = readProfile();
  const answer = await api("/api/push/subscribe", { ...subscription.toJSON(), profile });
  localStorage.setItem(PROFILE_KEY, JSON.stringify(profile));
  return answer;
}

async function unsubscribe(registration) {
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await api("/api/push/unsubscribe", { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

function showState(subscribed) {
  $("subscribe").disabled = false;
  $("subscribe").textContent = subscribed ? "Save settings" : "Turn on notifications";
  $("unsubscribe").hidden = !subscribed;
  if (subscribed) setStatus("Notifications are on in this browser.", "ok");
  else setStatus("Notifications are off in this browser.");
}

async function start() {
  const saved = localStorage.getItem(PROFILE_KEY);
  if (saved) {
    try {
      showProfile(JSON.parse(saved));
    } catch (error) {
      localStorage.removeItem(PROFILE_KEY);
    }
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    setStatus("This browser cannot receive push notifications here.", "bad");
    return;
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.kind === "notification-shown") {
      $("last").textContent = `Last notification: ${event.data.title}`;
    }
  });
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  document.body.dataset.worker = "ready";
  showState(Boolean(await registration.pushManager.getSubscription()));

  $("profile").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("subscribe").disabled = true;
    try {
      const answer = await subscribe(registration);
      say(answer.created ? "Subscribed. Notices will arrive here." : "Settings saved.", true);
      showState(true);
    } catch (error) {
      say(`Could not turn on notifications: ${error.message}`);
      $("subscribe").disabled = false;
    }
  });
  $("unsubscribe").addEventListener("click", async () => {
    try {
      await unsubscribe(registration);
      say("Notifications are off. You can turn them on again at any time.", true);
      showState(false);
    } catch (error) {
      say(`Could not turn off notifications: ${error.message}`);
    }
  });
}

start().catch((error) => setStatus(`Could not start: ${error.message}`, "bad"));
