import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier/flat'

const electronSecurity = [
  { selector: "Property[key.name='nodeIntegration'][value.value=true]", message: 'nodeIntegration stays off (docs/security.md)' },
  { selector: "Property[key.name='contextIsolation'][value.value=false]", message: 'contextIsolation stays on (docs/security.md)' },
  { selector: "Property[key.name='sandbox'][value.value=false]", message: 'the renderer stays sandboxed (docs/security.md)' }
]

// a row's type is its statement's, prepare<Params, Row>(sql): a cast would hide a column the SQL no longer returns
const rowCall = 'CallExpression[callee.property.name=/^(get|all|iterate)$/]'
const rowCastMessage = 'a row is not cast: type its statement, db.prepare<Params, Row>(sql)'
const rowCasts = ['TSAsExpression', 'TSTypeAssertion'].flatMap((cast) => [
  { selector: `${cast} > ${rowCall}.expression`, message: rowCastMessage },
  { selector: `${cast} > TSNonNullExpression > ${rowCall}.expression`, message: rowCastMessage }
])

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'test-artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        WebSocket: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'no-restricted-syntax': ['error', ...electronSecurity]
    }
  },
  {
    files: ['src-main/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...electronSecurity, ...rowCasts] }
  },
  // formatting is Prettier's (npm run format): the rules that would argue with it are off
  prettier
)
