// The file the import benchmark uploads: ROWS ambassadors like an owner's customer export, the same every run
// (a seeded generator). About one row in ten names a referrer: half by the code of an ambassador who was in the
// campaign before the import, half by the email of an earlier row of the same file.
import { writeFileSync } from "node:fs";

const FIRST = [
  "Mark",
  "Sara",
  "Anna",
  "Paul",
  "Zoé",
  "Liam",
  "Olivia",
  "Noah",
  "Emma",
  "Lucas",
  "Mia",
  "Ethan",
  "Ava",
  "Leo",
  "Chloé",
  "Mateo",
  "Isla",
  "Hugo",
  "Nora",
  "Élodie",
  "Łukasz",
  "Søren",
  "Aiko",
  "Ravi",
  "Fatima",
  "Diego",
  "Ines",
  "Yusuf",
  "Priya",
  "Jonas",
  "Marta",
  "Kenji",
  "Amara",
  "Tomás",
  "Freya",
  "Omar",
  "Lena",
  "Arjun",
  "Maya",
  "Felix",
];
const LAST = [
  "Smith",
  "Johnson",
  "García",
  "Müller",
  "Rossi",
  "Dubois",
  "Kowalski",
  "Nguyen",
  "Kim",
  "Silva",
  "Jensen",
  "O'Brien",
  "Novak",
  "Haddad",
  "Tanaka",
  "Costa",
  "Schmidt",
  "Martin",
  "Lopez",
  "Berg",
];
const COUNTRIES = [
  "USA",
  "France",
  "Germany",
  "Brazil",
  "Japan",
  "India",
  "Poland",
  "Denmark",
  "Spain",
  "Canada",
];
const PLANS = ["free", "pro", "team", ""];

/** A small seeded generator (mulberry32), so every run uploads the same file. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes the CSV to `path`; `codes` are the referral codes of the ambassadors already in the campaign.
 * Returns what the import must report: every row created, and how many name a referrer.
 */
export function writeImportFile(path, rows, codes) {
  const rand = random(20261124);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const emails = [];
  const lines = ["email,name,extra_field,extra_field_2,referrer"];
  let referred = 0;
  for (let i = 0; i < rows; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = `${first
      .normalize("NFKD")
      .replace(/[^A-Za-z]/g, "")
      .toLowerCase()}.${i}@example.com`;
    let referrer = "";
    if (i > 0 && rand() < 0.1) {
      referrer = rand() < 0.5 ? pick(codes) : emails[Math.floor(rand() * i)];
      referred++;
    }
    // Some names carry a comma, as "Last, First" exports do: those are quoted.
    const name = i % 50 === 0 ? `"${last}, ${first}"` : `${first} ${last}`;
    lines.push(`${email},${name},${pick(COUNTRIES)},${pick(PLANS)},${referrer}`);
    emails.push(email);
  }
  const text = `${lines.join("\n")}\n`;
  writeFileSync(path, text);
  return { rows, referred, bytes: Buffer.byteLength(text) };
}
