/** Loads the project's TextMate grammars with vscode-textmate + oniguruma, the engine VS Code uses. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { REPO } from './corpus';

let registry: vsctm.Registry | undefined;

function getRegistry(): vsctm.Registry {
  if (registry) return registry;
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  const onigLib = oniguruma.loadWASM(wasm).then(() => ({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  }));
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    contributes: { grammars: { scopeName: string; path: string }[] };
  };
  registry = new vsctm.Registry({
    onigLib,
    loadGrammar: async (scope) => {
      const g = manifest.contributes.grammars.find((x) => x.scopeName === scope);
      if (!g) return null;
      const file = path.join(REPO, g.path);
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry;
}

export interface Token {
  text: string;
  scopes: string[];
}

/** Tokenizes lines with a grammar; returns the tokens of each line. */
export async function tokenize(scope: string, lines: string[]): Promise<Token[][]> {
  const grammar = await getRegistry().loadGrammar(scope);
  if (!grammar) throw new Error(`grammar ${scope} not found`);
  let stack = vsctm.INITIAL;
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, stack, 1000);
    if (r.stoppedEarly) throw new Error(`tokenizer stopped early on: ${line.slice(0, 80)}`);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

export function scopeOf(tokens: Token[], text: string): string[] {
  const t = tokens.find((x) => x.text === text);
  if (!t) throw new Error(`no token \`${text}\` in ${JSON.stringify(tokens.map((x) => x.text))}`);
  return t.scopes;
}
