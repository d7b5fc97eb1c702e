/** Model files (models/*.yaml) are bundled as their text (next.config.js) and parsed like any other. */
declare module '*.yaml' {
  const text: string;
  export default text;
}
