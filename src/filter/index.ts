/** Wireshark-style display filters (-Y). */
export { FilterError } from "./lexer.js";
export { compileFilter, formatFilterError, type CompiledFilter } from "./compile.js";
export { parse } from "./parser.js";
export { tokenize } from "./lexer.js";
