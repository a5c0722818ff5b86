// What a published manifest looks like: `pnpm pack` and `pnpm publish` (so `changeset publish`)
// pass every package.json through `beforePacking` before it goes into the tarball.
//
// - `scripts` and `devDependencies` are for this repository, not for the people who install the
//   package: they are left out (nothing here has install scripts to keep);
// - the `@tensorloom/source` export condition points at `src/`, which is not published: it lets
//   the workspace run on TypeScript sources without a build, and is dropped from `exports`.
//
// `workspace:` and `catalog:` ranges are rewritten by pnpm itself. scripts/check-package.mjs checks
// the result on every package (`pnpm check:publish`).

const SOURCE_CONDITION = '@tensorloom/source'

/** `exports` without the source condition; a conditions object left with only `default` collapses. */
function withoutSource(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const out = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key === SOURCE_CONDITION) continue
    out[key] = withoutSource(inner)
  }
  const keys = Object.keys(out)
  return keys.length === 1 && keys[0] === 'default' ? out.default : out
}

module.exports = {
  hooks: {
    beforePacking(pkg) {
      delete pkg.scripts
      delete pkg.devDependencies
      if (pkg.exports) pkg.exports = withoutSource(pkg.exports)
      return pkg
    },
  },
}
