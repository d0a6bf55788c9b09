// What the kiosk keeps on the device, in IndexedDB: the queue of check-ins not yet confirmed by the server (each with
// the id the kiosk made for it, so sending it twice is harmless), and the families it found today, so a search still
// answers while the server is unreachable. Families are kept for the day only: the next day's first start deletes them.
const NAME = "shepherd-kiosk";
const VERSION = 1;

const request = (req) =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

const done = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error);
  });

function open() {
  const opening = indexedDB.open(NAME, VERSION);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    // Key: the check-in's client id. Index by organization: a device may be used for more than one church.
    db.createObjectStore("queue", { keyPath: "clientId" }).createIndex("organization", "organization");
    // Key: "organization:family id"; day says when it was seen.
    db.createObjectStore("families", { keyPath: "key" }).createIndex("day", "day");
    // Key: "organization:search term"; the ids of the families that search found.
    db.createObjectStore("searches", { keyPath: "key" }).createIndex("day", "day");
  };
  return request(opening);
}

/** The kiosk's store for one organization on one day. */
export async function openStore(organization, day) {
  const db = await open();

  const all = async (store, index, value) => request(db.transaction(store).objectStore(store).index(index).getAll(value));

  return {
    /** Check-ins waiting for the server, oldest first. */
    async queued() {
      const items = await all("queue", "organization", organization);
      return items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
    },

    /** Adds check-ins in one transaction: all of them are on the device, or none. */
    async enqueue(items) {
      const tx = db.transaction("queue", "readwrite");
      for (const item of items) tx.objectStore("queue").put({ ...item, organization });
      await done(tx);
    },

    async remove(clientId) {
      const tx = db.transaction("queue", "readwrite");
      tx.objectStore("queue").delete(clientId);
      await done(tx);
    },

    /** Remembers what a search found (the families as the server sent them). */
    async saveSearch(term, families) {
      const tx = db.transaction(["families", "searches"], "readwrite");
      for (const family of families) {
        tx.objectStore("families").put({ key: `${organization}:${family.id}`, day, family });
      }
      tx.objectStore("searches").put({ key: `${organization}:${normalize(term)}`, day, ids: families.map((f) => f.id) });
      await done(tx);
    },

    /** Keeps a family's changed state (e.g. children just checked in) for the next offline search. */
    async saveFamily(family) {
      const tx = db.transaction("families", "readwrite");
      tx.objectStore("families").put({ key: `${organization}:${family.id}`, day, family });
      await done(tx);
    },

    /**
     * The families seen today that match: those an identical search found (phone digits are never stored, so a phone
     * search only finds what the same digits found before) and those whose name contains the term.
     */
    async searchOffline(term) {
      const key = normalize(term);
      const families = (await all("families", "day", day)).filter((f) => f.key.startsWith(`${organization}:`)).map((f) => f.family);
      const earlier = await request(db.transaction("searches").objectStore("searches").get(`${organization}:${key}`));
      const ids = new Set(earlier?.day === day ? earlier.ids : []);
      const digits = /^[\d\s()+.-]+$/.test(term);
      return families
        .filter((f) => ids.has(f.id) || (!digits && f.name.toLowerCase().includes(key)))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    /** Forgets families and searches of earlier days (the queue is kept until the server has every check-in). */
    async forgetEarlierDays() {
      const tx = db.transaction(["families", "searches"], "readwrite");
      for (const store of ["families", "searches"]) {
        const cursor = tx.objectStore(store).openCursor();
        cursor.onsuccess = () => {
          if (!cursor.result) return;
          if (cursor.result.value.day !== day) cursor.result.delete();
          cursor.result.continue();
        };
      }
      await done(tx);
    },
  };
}

const normalize = (term) => term.trim().toLowerCase();
