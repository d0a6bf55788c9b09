// The rooms page's numbers, refreshed every few seconds without reloading the page (a reload would move a screen
// reader back to the top). Without script the page's Refresh link does the same by hand.
const REFRESH_MS = 5000;
const table = document.getElementById("rooms");
const updated = document.getElementById("rooms-updated");

async function refresh() {
  try {
    const response = await fetch("/checkin/rooms?handler=counts", { headers: { Accept: "application/json" }, redirect: "manual" });
    if (!response.ok) throw new Error(`The server answered ${response.status || "with a redirect"}.`);
    for (const count of await response.json()) {
      const row = table.querySelector(`tr[data-service="${count.serviceId}"]`);
      if (!row) continue;
      row.querySelector(".present").textContent = count.present;
      row.querySelector(".checked-in").textContent = count.checkedIn;
      row.querySelector(".checked-out").textContent = count.checkedOut;
    }
    updated.textContent = `Counted at ${new Date().toLocaleTimeString()}.`;
  } catch (error) {
    updated.textContent = `Not updated: the server could not be reached (${error.message}). Trying again.`;
  }
}

if (table && updated) setInterval(refresh, REFRESH_MS);
