// The kiosk's link to the server: sends the queued check-ins, oldest first, one at a time, and says how the connection
// is ("Online", "Offline — 2 waiting", "Sending 2 waiting…"). A check-in leaves the queue only when the server has
// answered for it: recorded (201), already recorded from an earlier attempt with the same client id (200), or refused
// for good (400, 404, 409: shown to the volunteer). A network error or a server error keeps it for the next try.
export const RETRY_MS = 3000;
const TIMEOUT_MS = 8000;

export class Connection {
  #store;
  #token;
  #onChange;
  #sending = false;

  constructor(store, token, onChange) {
    this.#store = store;
    this.#token = token;
    this.#onChange = onChange;
    /** online, offline, sending, or signin (the session ended: the queue waits for a new sign-in). */
    this.state = "online";
    this.waiting = 0;
    /** Check-ins the server refused, for the volunteer to see: { name, reason }. */
    this.refused = [];
  }

  /** Counts the queue, tries to send it now and again every few seconds while anything waits. */
  async start() {
    await this.#count();
    this.#notify();
    setInterval(() => {
      if (this.waiting > 0) this.send();
    }, RETRY_MS);
    this.send();
  }

  /** Another request (search, counts) reached the server, or did not. */
  reachable(ok) {
    if (!ok && this.state !== "signin") {
      this.state = "offline";
      this.#notify();
    } else if (ok && this.state === "offline") {
      this.state = "online";
      this.#notify();
      this.send();
    }
  }

  /** The session ended (an answer was the sign-in page). */
  signedOut() {
    this.state = "signin";
    this.#notify();
  }

  async added() {
    await this.#count();
    this.#notify();
    this.send();
  }

  async send() {
    if (this.#sending) return;
    this.#sending = true;
    try {
      for (const item of await this.#store.queued()) {
        if (this.state !== "offline" && this.state !== "signin") this.state = "sending";
        this.#notify();
        const outcome = await this.#post(item);
        if (outcome === "stop") break;
        await this.#store.remove(item.clientId);
        await this.#count();
        if (outcome !== "done") this.refused.push({ name: item.name, reason: outcome });
      }
      if (this.state === "sending") this.state = "online";
    } finally {
      this.#sending = false;
      await this.#count();
      this.#notify();
    }
  }

  /** "done", a reason the server gave for refusing it for good, or "stop" (try again later). */
  async #post(item) {
    let response;
    try {
      response = await fetch("/checkin?handler=checkin", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", RequestVerificationToken: this.#token },
        body: JSON.stringify({
          serviceId: item.serviceId,
          personId: item.personId,
          clientId: item.clientId,
          securityCode: item.securityCode,
        }),
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      this.state = "offline";
      return "stop";
    }
    if (response.status === 200 || response.status === 201) {
      if (this.state === "offline") this.state = "sending";
      return "done";
    }
    const json = (response.headers.get("Content-Type") ?? "").includes("json");
    if (json && [400, 404, 409].includes(response.status)) {
      const problem = await response.json();
      const fields = Object.values(problem.errors ?? {}).flat();
      return [problem.title, ...fields].filter(Boolean).join(": ");
    }
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403 || response.status === 400) {
      // The session ended or its antiforgery token no longer fits: the queue waits for a new sign-in on this device.
      this.state = "signin";
      return "stop";
    }
    this.state = "offline";
    return "stop";
  }

  async #count() {
    this.waiting = (await this.#store.queued()).length;
  }

  #notify() {
    this.#onChange(this);
  }
}
