// Lint of the sources: typescript-eslint's recommended rules and a 150-character line limit.
// Formatting is prettier's (`npm run format`); `npm run lint` checks both.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'coverage/', 'imports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      'max-len': ['error', { code: 150, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // CommonJS entry points and scripts load modules with require.
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // The CLI loads cdk8s and the construct only once the input is checked: startup stays fast.
  { files: ['lib/cli.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Kubernetes' schemas (kubernetes-models, cdk8s-plus-28) load only for a spec that needs them.
  { files: ['lib/validation/k8s-objects.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // The checks of patched objects read rendered objects of any shape.
  { files: ['lib/patches.ts', 'lib/validation/pod-security.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Tests and the cdk8s plugin read manifests of any shape (parsed YAML, synthesized JSON).
  {
    files: ['test/**/*.ts', 'plugin/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
