// What the kiosk makes for itself before the server has seen a check-in: its id and the label's security code, plus
// the search rule the server applies (checked here too, so an offline search says the same thing).

/** A random UUID (version 4). crypto.randomUUID exists only on HTTPS or localhost; a church LAN may be plain HTTP. */
export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The server's alphabet (SecurityCodes.cs): no letters or digits easily confused when read aloud or from a label. */
const ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479";
const LENGTH = 4;

export function newSecurityCode() {
  // Rejection sampling, so every letter is equally likely (256 is not a multiple of the alphabet's 25).
  const limit = 256 - (256 % ALPHABET.length);
  let code = "";
  while (code.length < LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(LENGTH * 2))) {
      if (byte < limit && code.length < LENGTH) code += ALPHABET[byte % ALPHABET.length];
    }
  }
  return code;
}

/** Why a search term cannot be used, in the server's words (KioskFamilySearch.Rule), or null. */
export function searchProblem(term) {
  const byPhone = term.length > 0 && /^[\d\s()+.-]+$/.test(term);
  const digits = term.replace(/\D/g, "");
  if (term.length > 50 || (byPhone ? digits.length < 4 : term.length < 2)) {
    return "Search by the last 4 or more digits of a phone number, or by 2 to 50 letters of the family name.";
  }
  return null;
}
