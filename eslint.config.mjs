// Lint for the TypeScript sources and tests: typescript-eslint's recommended rules (without type information,
// so it stays fast) and a line length of 140. Run by `npm run lint` and by scripts/test.sh.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A line that is one string or template literal (a message or prose, possibly after `return`, `? `, `: `, a key,
// an assignment, or a test's title) is exempt: prettier cannot break it and splitting it only adds `+`. ESLint compiles it with the u flag,
// so the backtick is written \x60.
const STRING_ONLY = String.raw`^\s*(?:return\s+|[?:]\s*|[\w$]+:\s*|(?:const\s+)?[\w$.]+\s*=\s*|test\()?(['"\x60]).*\1(?:, (?:async )?\(\w*\) => \{)?[\s,;)+]*$`;

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test/e2e/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignorePattern: STRING_ONLY }],
      // CommonJS output: package.json and JSON data are read with require where an import would copy them.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
