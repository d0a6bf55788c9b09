// The labels of one check-in, drawn from what the kiosk knows locally (so they print even while the server is
// unreachable): a name label per child and one pickup label for the parent with the same security code. The markup
// and classes are those of the reprint page (/checkin/labels); site.css sizes them for 2×4-inch label printers.

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/**
 * @param container where the labels go (emptied first)
 * @param batch { code, date, children: [{ firstName, lastName, room, medicalNote }] }
 */
export function renderLabels(container, batch) {
  container.replaceChildren();
  for (const child of batch.children) {
    const label = el("article", "print-label name-label");
    label.setAttribute("aria-label", `Name label for ${child.firstName} ${child.lastName}`);
    label.append(el("p", "label-code", batch.code));
    label.append(el("p", "label-first", child.firstName));
    label.append(el("p", "label-last", child.lastName));
    label.append(el("p", "label-room", `${child.room} · ${batch.date}`));
    if (child.medicalNote) {
      const note = el("p", "label-alert");
      note.append(el("strong", null, "Allergy / medical: "), child.medicalNote);
      label.append(note);
    }
    container.append(label);
  }
  if (batch.children.length > 0) {
    const pickup = el("article", "print-label pickup-label");
    pickup.setAttribute("aria-label", "Pickup label");
    pickup.append(el("p", "label-code", batch.code));
    pickup.append(el("p", "label-title", "Pickup"));
    const names = el("ul", "label-children");
    for (const child of batch.children) names.append(el("li", null, `${child.firstName} ${child.lastName} · ${child.room}`));
    pickup.append(names);
    pickup.append(el("p", "label-room", `${batch.date} · Show this label to collect your children.`));
    container.append(pickup);
  }
  container.hidden = batch.children.length === 0;
}
