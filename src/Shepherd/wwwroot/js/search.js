// The header's search box: suggestions as you type (people, families, groups), chosen with the mouse or the arrow keys
// and Enter; Escape closes them. Without JavaScript the box still submits to /search.
const input = document.getElementById("global-search");
const list = document.getElementById("global-search-results");
if (input && list) {
  let active = -1;
  let timer = 0;
  let pending = null;

  const options = () => Array.from(list.querySelectorAll("[role=option]"));
  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const select = (index) => {
    const items = options();
    if (items.length === 0) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
  };
  const show = (hits) => {
    list.replaceChildren();
    hits.forEach((hit, i) => {
      const item = document.createElement("li");
      item.id = `global-search-option-${i}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const link = document.createElement("a");
      link.href = hit.path;
      link.tabIndex = -1;
      link.textContent = hit.name;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.detail ? `${hit.kind} · ${hit.detail}` : hit.kind;
      link.append(kind);
      item.append(link);
      list.append(item);
    });
    const all = document.createElement("li");
    all.id = `global-search-option-${hits.length}`;
    all.setAttribute("role", "option");
    all.setAttribute("aria-selected", "false");
    const more = document.createElement("a");
    more.href = `/search?q=${encodeURIComponent(input.value.trim())}`;
    more.tabIndex = -1;
    more.textContent = hits.length === 0 ? "Nothing found yet: search everything" : "See all results";
    all.append(more);
    list.append(all);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  const suggest = async () => {
    const q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    pending?.abort();
    pending = new AbortController();
    try {
      const response = await fetch(`/search?handler=suggest&q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
        signal: pending.signal,
      });
      if (!response.ok) return;
      show(await response.json());
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      select(active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      options()[active].querySelector("a").click();
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}
