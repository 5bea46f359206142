// Package repocheck holds tests of the repository itself rather than of
// code: the documentation stays inside the repository (no link or
// citation leaves it), and the container files keep the promises the
// README makes (user, volume, healthcheck, pinned images, no placeholder
// secrets). There is no Docker engine on the build machines, so what can be
// checked by reading is checked here.
package repocheck
