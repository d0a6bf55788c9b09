// The child check-in kiosk (/checkin). Screens: setup (which rooms), search, a family, done. A check-in is put in the
// device's queue first (IndexedDB, with an id made here), its labels print at once from local data, and the queue is
// sent to the server in the background, so a dropped connection costs nothing but a "waiting" count.
import { openStore } from "./kiosk-store.js";
import { Connection } from "./kiosk-connection.js";
import { renderLabels } from "./kiosk-labels.js";
import { newClientId, newSecurityCode, searchProblem } from "./kiosk-ids.js";

const COUNTS_MS = 5000;
const SEARCH_TIMEOUT_MS = 6000;
const $ = (id) => document.getElementById(id);

const root = $("kiosk");
if (root) start(root);

async function start(root) {
  const organization = root.dataset.organization;
  const today = root.dataset.today;
  const todayText = root.dataset.todayText;
  const token = root.querySelector("input[name=__RequestVerificationToken]").value;
  const services = Array.from(document.querySelectorAll("#setup-form input[name=service]")).map((box) => ({
    id: Number(box.value),
    label: box.dataset.room,
    kind: box.dataset.kind,
    campus: box.dataset.campus,
    campusName: box.dataset.campusName,
    box,
  }));
  const setupKey = `shepherd.kiosk.setup.${organization}`;
  let store;
  try {
    store = await openStore(organization, today);
    await store.forgetEarlierDays();
  } catch (error) {
    showRefused([`This browser does not let the kiosk keep check-ins on the device (${error}). Use a normal, not private, window.`]);
    return;
  }
  const connection = new Connection(store, token, showConnection);
  let rooms = [];
  let family = null;
  let countsTimer = 0;

  // ---- screens
  const show = (name) => {
    for (const screen of document.querySelectorAll(".kiosk-screen")) screen.hidden = screen.id !== `kiosk-${name}`;
    if (name !== "done") $("kiosk-labels").hidden = true;
  };

  // ---- setup: which rooms, remembered on this device for today
  const setupForm = $("setup-form");
  const campus = $("setup-campus");
  const showCampus = () => {
    for (const item of setupForm.querySelectorAll("li[data-campus]")) {
      const here = item.dataset.campus === campus.value;
      item.hidden = !here;
      if (!here) item.querySelector("input").checked = false;
    }
  };
  const useRooms = (ids) => {
    rooms = ids.map((id) => services.find((s) => s.id === id)).filter(Boolean);
    localStorage.setItem(setupKey, JSON.stringify({ day: today, campus: rooms[0].campus, services: ids }));
    const where = campus.options.length > 1 ? ` at ${rooms[0].campusName}` : "";
    $("kiosk-rooms").textContent = `Checking in to ${rooms.map((r) => r.label).join(", ")}${where} · ${todayText}`;
    showSearch();
    refreshCounts();
    clearInterval(countsTimer);
    countsTimer = setInterval(refreshCounts, COUNTS_MS);
  };
  if (setupForm) {
    campus.addEventListener("change", showCampus);
    setupForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const ids = services.filter((s) => s.box.checked).map((s) => s.id);
      const error = $("setup-error");
      error.hidden = ids.length > 0;
      error.textContent = ids.length > 0 ? "" : "Choose at least one room.";
      if (ids.length > 0) useRooms(ids);
    });
    $("change-rooms").addEventListener("click", () => {
      for (const s of services) s.box.checked = rooms.some((r) => r.id === s.id);
      show("setup");
      $("setup-heading").focus();
    });
  }
  // ---- search
  const input = $("search-input");
  const message = $("search-message");
  const results = $("search-results");
  function showSearch() {
    family = null;
    // Nothing of the last family stays on the page, even hidden.
    $("family-children").replaceChildren();
    $("family-adults").replaceChildren();
    $("kiosk-labels").replaceChildren();
    show("search");
    if (input) {
      input.value = "";
      results.replaceChildren();
      message.textContent = "";
      input.focus();
    }
  }
  $("search-form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const term = input.value.trim();
    const problem = searchProblem(term);
    if (problem) {
      message.textContent = problem;
      results.replaceChildren();
      return;
    }
    message.textContent = "Searching…";
    const found = await search(term);
    if (found === null) return;
    showResults(found.families, found.offline);
  });

  async function search(term) {
    const query = new URLSearchParams({ handler: "families", q: term });
    for (const room of rooms) query.append("service", room.id);
    try {
      const response = await fetch(`/checkin?${query}`, {
        headers: { Accept: "application/json" },
        redirect: "manual",
        signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS),
      });
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        connection.signedOut();
        message.textContent = "Signed out: sign in again to search.";
        return null;
      }
      if (response.status === 400) {
        const problem = await response.json();
        message.textContent = Object.values(problem.errors ?? {}).flat().join(" ");
        return null;
      }
      if (!response.ok) throw new Error(`The server answered ${response.status}.`);
      const families = await response.json();
      connection.reachable(true);
      await store.saveSearch(term, families);
      return { families, offline: false };
    } catch {
      connection.reachable(false);
      return { families: await store.searchOffline(term), offline: true };
    }
  }

  function showResults(families, offline) {
    results.replaceChildren();
    const where = offline ? " Offline: these are the families this kiosk found earlier today." : "";
    message.textContent =
      families.length === 0
        ? `No family found.${where || " Try the family name, or other phone digits."}`
        : `${families.length === 1 ? "1 family" : `${families.length} families`} found.${where}`;
    for (const found of families) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "family-button";
      const name = document.createElement("span");
      name.className = "family-name";
      name.textContent = found.name;
      const members = document.createElement("span");
      members.className = "family-members";
      members.textContent = found.members.map((m) => m.firstName).join(", ");
      button.append(name, members);
      button.addEventListener("click", () => showFamily(found));
      item.append(button);
      results.append(item);
    }
  }

  // ---- a family: who is checking in, to which room
  const selected = new Map();

  async function showFamily(found) {
    family = found;
    selected.clear();
    const waiting = await store.queued();
    const rows = family.members.map((member) => ({ member, state: stateOf(member, waiting) }));
    const free = (role) => rows.filter((r) => r.member.role === role && !r.state);
    // One child ready to check in is selected already: "Check in & print" is then the only tap.
    const children = free("child");
    if (children.length === 1) selected.set(children[0].member.personId, defaultRoom(children[0].member));
    $("family-name").textContent = family.name;
    fill($("family-children"), rows.filter((r) => r.member.role === "child"), "No children in this family.");
    fill($("family-adults"), rows.filter((r) => r.member.role === "adult"), "No adults in this family.");
    $("family-error").hidden = true;
    updateButton();
    show("family");
    $("family-name").focus();
  }

  /** Already in one of the kiosk's rooms today: "Checked in · Kids 9:00", waiting to be sent, or checked out. */
  function stateOf(member, waiting) {
    const queued = waiting.find((w) => w.personId === member.personId && rooms.some((r) => r.id === w.serviceId));
    if (queued) return `Checked in · ${roomName(queued.serviceId)} · waiting to be sent`;
    const done = member.checkIns.find((c) => rooms.some((r) => r.id === c.serviceId));
    if (done) return `${done.checkedOut ? "Checked out" : "Checked in"} · ${roomName(done.serviceId)}`;
    return null;
  }

  const roomName = (id) => rooms.find((r) => r.id === id)?.label ?? "another room";

  /** Children to the first children's room, adults to the first other room; else the first room. */
  function defaultRoom(member) {
    const kids = rooms.filter((r) => r.kind === "kids");
    const others = rooms.filter((r) => r.kind !== "kids");
    return ((member.role === "child" ? kids[0] : others[0]) ?? rooms[0]).id;
  }

  function fill(list, rows, empty) {
    list.replaceChildren();
    if (rows.length === 0) {
      const item = document.createElement("li");
      item.className = "meta";
      item.textContent = empty;
      list.append(item);
    }
    for (const { member, state } of rows) list.append(personRow(member, state));
  }

  function personRow(member, state) {
    const item = document.createElement("li");
    item.className = "person";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "person-button";
    button.dataset.person = member.personId;
    button.setAttribute("aria-pressed", String(selected.has(member.personId)));
    const name = document.createElement("span");
    name.className = "person-name";
    name.textContent = `${member.firstName} ${member.lastName}`;
    const details = document.createElement("span");
    details.className = "person-details";
    details.textContent = [member.age === null ? null : `Age ${member.age}`, state].filter(Boolean).join(" · ");
    button.append(name, details);
    if (member.medicalNote) {
      const note = document.createElement("span");
      note.className = "person-alert";
      note.textContent = `Allergy / medical: ${member.medicalNote}`;
      button.append(note);
    }
    if (state) {
      button.disabled = true;
      item.classList.add("done");
    }
    item.append(button);
    if (rooms.length > 1 && !state) {
      const label = document.createElement("label");
      label.className = "room-choice";
      label.textContent = "Room ";
      const choice = document.createElement("select");
      for (const room of rooms) choice.add(new Option(room.label, room.id));
      choice.value = String(selected.get(member.personId) ?? defaultRoom(member));
      choice.addEventListener("change", () => {
        if (selected.has(member.personId)) selected.set(member.personId, Number(choice.value));
      });
      label.append(choice);
      label.hidden = !selected.has(member.personId);
      item.append(label);
    }
    button.addEventListener("click", () => {
      const on = !selected.has(member.personId);
      const choice = item.querySelector("select");
      if (on) selected.set(member.personId, choice ? Number(choice.value) : defaultRoom(member));
      else selected.delete(member.personId);
      button.setAttribute("aria-pressed", String(on));
      if (choice) choice.parentElement.hidden = !on;
      updateButton();
    });
    return item;
  }

  function updateButton() {
    const button = $("checkin-button");
    button.disabled = selected.size === 0;
    const people = selected.size === 1 ? "1 person" : `${selected.size} people`;
    $("family-hint").textContent =
      selected.size === 0 ? "Tap each person who is checking in, then “Check in & print”." : `${people} selected.`;
  }

  $("family-back").addEventListener("click", showSearch);
  $("checkin-button").addEventListener("click", checkIn);

  async function checkIn() {
    if (!family || selected.size === 0) return;
    const members = family.members.filter((m) => selected.has(m.personId));
    const code = newSecurityCode();
    const queuedAt = new Date().toISOString();
    const items = members.map((m) => ({
      clientId: newClientId(),
      serviceId: selected.get(m.personId),
      personId: m.personId,
      // One code for the family's children: the one pickup label releases them all. Adults need none.
      securityCode: m.role === "child" ? code : null,
      name: `${m.firstName} ${m.lastName}`,
      queuedAt,
    }));
    try {
      await store.enqueue(items);
    } catch (error) {
      const problem = $("family-error");
      problem.textContent = `Could not keep the check-in on this device: ${error}. Nothing was recorded; try again.`;
      problem.hidden = false;
      return;
    }
    // The family as it is now, for the next search of the day (online or not).
    for (const item of items) {
      family.members.find((m) => m.personId === item.personId).checkIns.push({ serviceId: item.serviceId, checkedOut: false });
    }
    await store.saveFamily(family);

    const children = members.filter((m) => m.role === "child");
    const batch = {
      code,
      date: todayText,
      children: children.map((m) => ({
        firstName: m.firstName,
        lastName: m.lastName,
        room: roomName(selected.get(m.personId)),
        medicalNote: m.medicalNote,
      })),
    };
    const labels = $("kiosk-labels");
    renderLabels(labels, batch);
    const names = members.map((m) => `${m.firstName} ${m.lastName} (${roomName(selected.get(m.personId))})`).join(", ");
    $("done-summary").textContent =
      children.length > 0 ? `Checked in ${names}. Security code ${code}.` : `Checked in ${names}.`;
    $("print-again").hidden = children.length === 0;
    show("done");
    labels.hidden = children.length === 0;
    $("next-family").focus();
    connection.added();
    if (children.length > 0) setTimeout(() => window.print(), 0);
  }

  $("next-family").addEventListener("click", showSearch);
  $("print-again").addEventListener("click", () => window.print());

  // ---- live counts of the kiosk's rooms (also tells the kiosk the server is reachable)
  async function refreshCounts() {
    if (rooms.length === 0) return;
    const query = new URLSearchParams({ handler: "counts" });
    for (const room of rooms) query.append("service", room.id);
    try {
      const response = await fetch(`/checkin?${query}`, {
        headers: { Accept: "application/json" },
        redirect: "manual",
        signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS),
      });
      if (response.type === "opaqueredirect") {
        connection.signedOut();
        return;
      }
      if (!response.ok) throw new Error(`The server answered ${response.status}.`);
      const counts = await response.json();
      connection.reachable(true);
      const list = $("kiosk-counts");
      list.replaceChildren();
      for (const room of rooms) {
        const count = counts.find((c) => c.serviceId === room.id);
        const item = document.createElement("li");
        item.textContent = `${room.label}: ${count?.present ?? 0} in the room`;
        list.append(item);
      }
    } catch {
      connection.reachable(false);
    }
  }

  // ---- the connection line and what the server refused
  function showConnection(c) {
    const line = $("kiosk-connection");
    line.hidden = false;
    line.className = `connection ${c.state}`;
    const waiting = `${c.waiting} waiting`;
    line.replaceChildren();
    if (c.state === "offline") line.textContent = c.waiting > 0 ? `Offline — ${waiting}` : "Offline — nothing waiting";
    else if (c.state === "sending") line.textContent = `Sending ${waiting}…`;
    else if (c.state === "signin") {
      line.append(`Signed out — ${waiting}. `);
      const link = document.createElement("a");
      link.href = "/signin?ReturnUrl=%2Fcheckin";
      link.textContent = "Sign in again to send them";
      line.append(link);
    } else line.textContent = c.waiting > 0 ? `Online — ${waiting}` : "Online — every check-in is saved";
    showRefused(c.refused.map((r) => `Not recorded: ${r.name} — ${r.reason}`));
  }

  // ---- start: the rooms remembered for today, or the setup
  const saved = JSON.parse(localStorage.getItem(setupKey) ?? "null");
  if (saved?.day === today && saved.services.length > 0 && saved.services.every((id) => services.some((s) => s.id === id))) {
    campus.value = saved.campus;
    showCampus();
    useRooms(saved.services);
  } else if (setupForm) {
    showCampus();
    show("setup");
  }
  connection.start();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/checkin-sw.js", { scope: "/checkin" }).catch((error) => console.warn("Kiosk service worker:", error));
  }
}

function showRefused(lines) {
  const list = $("kiosk-refused");
  list.replaceChildren(
    ...lines.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }),
  );
  list.hidden = lines.length === 0;
}
