/** YAML text to plain data, for the server config file. */
import { LineCounter, parseDocument } from "yaml";

/**
 * Reads YAML text into plain data, or returns its problems, one line each:
 * syntax errors with their line and column (`line 3, column 1: YAML syntax
 * error: ...`), and a duplicate key is one of them. Aliases are capped, so a
 * small file cannot expand into a huge one.
 */
export function readYaml(yamlText: string): { data: unknown } | { problems: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return `line ${line}, column ${col}: YAML syntax error: ${error.message}`;
      }),
    };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    // Unresolved or excessive aliases only surface when the document is converted.
    return { problems: [`YAML error: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
