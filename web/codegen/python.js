// @ts-check
// Python source text from JS values: float and int literals, calls wrapped at 99 columns, safe
// comment text. Pure formatting: imports nothing and knows nothing of plans or frameworks.

/**
 * A number as Python's repr writes a float: 0.03, 1.0, 1e-07, 1e+16.
 * @param {number} x
 * @returns {string}
 */
export function pyFloat(x) {
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x)) return 'float("nan")';
    return x > 0 ? 'float("inf")' : '-float("inf")';
  }
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e");
  const exponent = Number(exponentText);
  const digits = mantissa.replace(".", "");
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponentSign = exponent < 0 ? "-" : "+";
    return `${sign}${shown}e${exponentSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  return `${sign}${whole}.${digits.slice(exponent + 1) || "0"}`;
}

/**
 * @param {number} n
 * @returns {string}
 */
export function pyInt(n) {
  if (!Number.isFinite(n)) throw new Error(`not a finite integer: ${n}`);
  return String(Math.round(n));
}

/**
 * A call on one line, or one argument per line when that would pass 99 columns.
 * @param {string} indent
 * @param {string} callee
 * @param {string[]} args
 * @param {string} [suffix] appended after the closing parenthesis
 * @returns {string[]}
 */
export function pyCall(indent, callee, args, suffix = "") {
  const line = `${indent}${callee}(${args.join(", ")})${suffix}`;
  if (line.length <= 99) return [line];
  return [`${indent}${callee}(`, ...args.map((arg) => `${indent}    ${arg},`), `${indent})${suffix}`];
}

/**
 * Text safe inside a Python comment or string: one line, no quotes or backslashes.
 * @param {unknown} value
 * @returns {string}
 */
export function plain(value) {
  return String(value).replace(/[^\w .,:+*^()-]/g, "?");
}

/**
 * Text as comment lines of at most `width` characters.
 * @param {string} text
 * @param {number} [width]
 * @returns {string[]}
 */
export function wrapComment(text, width = 92) {
  /** @type {string[]} */
  const lines = [];
  let line = "#";
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
