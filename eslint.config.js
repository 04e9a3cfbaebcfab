// Lint: typescript-eslint's recommended rules, plus the layering and stdout rules the design asks for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 's3db-data/**', 'build/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // stdout belongs to the MCP protocol in stdio mode: server code logs through pino to stderr.
    files: ['engine/**/*.ts', 'tools/**/*.ts', 'server/**/*.ts', 'transports/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
