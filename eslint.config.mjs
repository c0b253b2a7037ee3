// Lint for the TypeScript sources and tests: typescript-eslint's recommended rules (without type information,
// so it stays fast) and a line length of 140. Run by `npm run lint` and by scripts/test.sh.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ESLint compiles it with the u flag, so the backtick is written \x60.
const STRING_ONLY = String.raw`^\s*(?:[\w$]+:\s*)?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\x60(?:[^\x60\\]|\\.)*\x60)\s*[,;)]*\s*$`;

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test/e2e/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Lines holding a string or template literal (messages, prose) are exempt: breaking them would only add `+`.
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignorePattern: STRING_ONLY }],
      // CommonJS output: package.json and JSON data are read with require where an import would copy them.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
