import { DataError } from './errors.js'
import type { InputErrorCode } from './inputErrors.js'

/**
 * A file given to a reader of one's own data is unusable (a corrupt or huge image, a zip bomb, a
 * ragged CSV row, a cell that is not a number) or too much of it was given. `details.file` names
 * the file, and for CSV files `details.row` (1-based, counting the header) and `details.column`.
 */
export class InputError<C extends InputErrorCode = InputErrorCode> extends DataError<C> {}
