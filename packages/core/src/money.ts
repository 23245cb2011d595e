// Money is stored as integer minor units plus an ISO 4217 code; the pixel sends decimal amounts (15.7 USD),
// so this module converts between the two without letting binary float error change a cent.

// ISO 4217 List One codes that have a minor unit (precious metals, XDR, test and "no currency" codes have none
// and are not amounts a conversion can carry). Funds codes with a minor unit (BOV, CHE, CLF, UYW, XAD, …) are
// included because they are valid ISO codes. Withdrawn and left out: ANG (replaced by XCG in 2025), CUC, HRK,
// SLL, ZWL. BGN is kept while ISO still lists it. Re-check when ISO publishes an amendment.
const BY_EXPONENT: Readonly<Record<0 | 2 | 3 | 4, string>> = {
  0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
  2: [
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD",
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP",
    "GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL",
    "MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN",
    "QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD",
    "TWD TZS UAH USD USN UYU UZS VED VES WST XAD XCD XCG YER ZAR ZMW ZWG",
  ].join(" "),
  3: "BHD IQD JOD KWD LYD OMR TND",
  4: "CLF UYW",
};

const EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.entries(BY_EXPONENT).flatMap(([exponent, codes]) =>
    codes.split(" ").map((code) => [code, Number(exponent)] as const),
  ),
);

/** True for an active ISO 4217 code with a minor unit. Expects uppercase; callers uppercase first. */
export function isCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

/** Number of decimal places of the currency's minor unit: 2 for USD, 0 for JPY, 3 for BHD. */
export function currencyExponent(code: string): number {
  const exponent = EXPONENTS.get(code);
  if (exponent === undefined) throw new RangeError(`Unknown currency: ${code}`);
  return exponent;
}

/**
 * 15.7 USD → 1570. Rounds half away from zero at the currency's precision, working on the number's shortest
 * decimal representation (what the sender wrote), so 15.7 gives 1570 although 15.7 * 100 is 1569.999….
 */
export function toMinorUnits(amount: number, currency: string): number {
  const exponent = currencyExponent(currency);
  if (!Number.isFinite(amount)) throw new RangeError(`Amount is not a finite number: ${amount}`);
  const { digits, point } = decimalDigits(Math.abs(amount));
  // Moving the decimal point right by `exponent` places turns major units into minor units.
  const cut = point + exponent;
  const kept = cut <= 0 ? "0" : digits.slice(0, cut).padEnd(cut, "0");
  const firstDropped = cut < 0 ? 0 : Number(digits[cut] ?? "0");
  const magnitude = Number(kept) + (firstDropped >= 5 ? 1 : 0);
  if (!Number.isSafeInteger(magnitude)) throw new RangeError(`Amount is too large: ${amount}`);
  // `|| 0` keeps -0 out of the result.
  return (amount < 0 ? -magnitude : magnitude) || 0;
}

/** 1570 USD → 15.7; the nearest JS number to the exact decimal, as the pixel would have sent it. */
export function fromMinorUnits(minor: number, currency: string): number {
  const exponent = currencyExponent(currency);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Minor units must be a safe integer: ${minor}`);
  // One correctly rounded division gives the same number as parsing the decimal string "15.7".
  return minor / 10 ** exponent || 0;
}

/**
 * The shortest round-tripping decimal form of a non-negative finite number as a digit string and the
 * position of the decimal point within it: 15.7 → { digits: "157", point: 2 }, 1e-7 → { "1", -6 }.
 */
function decimalDigits(value: number): { digits: string; point: number } {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`Cannot read amount: ${value}`);
  const [, whole = "0", fraction = "", exp = "0"] = match;
  return { digits: whole + fraction, point: whole.length + Number(exp) };
}
