// Lint for the booth's JavaScript: ESLint's recommended rules, browser code in src/, Node
// code in the build, the tools and the tests.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  { files: ["src/**/*.js"], languageOptions: { globals: globals.browser } },
  { files: ["*.mjs", "*.js", "tools/**/*.mjs", "test/**/*.js"], languageOptions: { globals: globals.node } },
  { rules: { "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }] } },
];
