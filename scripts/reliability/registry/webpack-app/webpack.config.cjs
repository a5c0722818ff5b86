// Webpack's defaults, as a new project has them: `new URL(…, import.meta.url)` assets are copied
// into dist/ and their URLs rewritten.
const path = require('node:path')

module.exports = {
  mode: 'production',
  entry: './src/index.js',
  output: { path: path.join(__dirname, 'dist'), filename: 'main.js', publicPath: 'auto' },
  performance: { hints: false },
}
