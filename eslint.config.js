import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'bench/.data/', 'fixtures/', '.scratch/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {process: 'readonly', console: 'readonly', Buffer: 'readonly', NodeJS: 'readonly'},
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
    },
  },
  {
    // The bin script is CommonJS.
    files: ['bin/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {require: 'readonly', __dirname: 'readonly', __filename: 'readonly'},
    },
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    // The core and the renderers are pure: they return values, the commands do the writing.
    files: ['src/core/**/*.ts', 'src/report/**/*.ts', 'src/renderers/**/*.ts'],
    rules: {'no-console': 'error'},
  },
  {
    // The core (evaluators, state, maths) and the report builder do no I/O and know nothing of the CLI:
    // files and terminals are the readers', the pipeline's and the commands' business.
    files: ['src/core/**/*.ts', 'src/report/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'chalk', 'cli-table3'].map((name) => ({
            name,
            message: 'src/core and src/report are pure: no file system, no terminal (see the README, How it works)',
          })),
          patterns: [{group: ['@oclif/*'], message: 'src/core and src/report know nothing of the CLI'}],
        },
      ],
    },
  },
)
