/**
 * Undoes what spreadsheets do to long numbers typed in numeric cells: a float suffix
 * ("11987654321.0") or scientific notation ("1.23457E+13"). Scientific notation is only
 * recoverable when every digit is still in the mantissa; otherwise the tail was rounded away.
 */

/** Result of {@link recoverNumericCell}. */
export interface RecoveredNumericCell {
  /** The value with the float/scientific artefact removed (unchanged when there was none). */
  text: string;
  /** True when the cell shows scientific notation whose rounded digits cannot be restored. */
  precisionLost: boolean;
}

const FLOAT_SUFFIX = /^(\+?\d+)[.,]0+$/;
const SCIENTIFIC = /^(\d+)(?:[.,](\d+))?e\+?(\d+)$/i;

/**
 * @example recoverNumericCell('11987654321.0')      // { text: '11987654321', precisionLost: false }
 * @example recoverNumericCell('1.1987654321E+10')   // { text: '11987654321', precisionLost: false }
 * @example recoverNumericCell('1.23457E+13')        // { text: '1.23457E+13', precisionLost: true }
 */
export function recoverNumericCell(value: string): RecoveredNumericCell {
  const v = value.trim();
  const float = FLOAT_SUFFIX.exec(v);
  if (float) return { text: float[1], precisionLost: false };
  const sci = SCIENTIFIC.exec(v);
  if (!sci) return { text: v, precisionLost: false };
  const [, intPart, frac = '', expStr] = sci;
  const exp = Number(expStr);
  // Exact only if the mantissa carries all the digits ("1.1222333000181E+13"); if fewer
  // fraction digits than the exponent, the missing ones were rounded away by the spreadsheet.
  if (frac.length !== exp) return { text: v, precisionLost: true };
  return { text: (intPart + frac).replace(/^0+(?=\d)/, ''), precisionLost: false };
}
