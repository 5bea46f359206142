package repocheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/config"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDockerfile checks by reading what `docker build` would make.
func TestDockerfile(t *testing.T) {
	d := read(t, "Dockerfile")
	final := d[strings.LastIndex(d, "\nFROM "):]
	for _, want := range []string{
		"USER 65532:65532",     // distroless nonroot
		"--chown=65532:65532",  // … owning its data directory
		`VOLUME ["/app/data"]`, // the SQLite file survives the container
		"KANTUTA_DATA_DIR=/app/data",
		`CMD ["/app/kantuta", "healthcheck"]`, // no curl in distroless
		"ARG VERSION", "-X main.version=${VERSION}",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^ENV .*KANTUTA_ADDR`).MatchString(final) {
		t.Error("the image sets KANTUTA_ADDR, which would fight a platform's PORT")
	}
	if !strings.Contains(final, "HEALTHCHECK") || !strings.Contains(final, "EXPOSE 3000") {
		t.Error("final stage lacks HEALTHCHECK or EXPOSE")
	}
}

// TestDockerignore: the build context leaves out the database, secrets,
// binaries and history.
func TestDockerignore(t *testing.T) {
	lines := map[string]bool{}
	for _, l := range strings.Split(read(t, ".dockerignore"), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{".git", "data", "bin", ".env", "**/*.db"} {
		if !lines[want] {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
	for _, needed := range []string{"go.mod", "cmd", "internal", "migrations", "api"} {
		if lines[needed] {
			t.Errorf(".dockerignore leaves out %s, which the build needs", needed)
		}
	}
}

// TestCompose: pinned images, no secrets that production would accept,
// the data volume mounted.
func TestCompose(t *testing.T) {
	c := read(t, "docker-compose.yml")
	for _, img := range regexp.MustCompile(`(?m)^\s*image:\s*(\S+)`).FindAllStringSubmatch(c, -1) {
		name := img[1]
		if !strings.Contains(name, ":") || strings.HasSuffix(name, ":latest") {
			t.Errorf("image %s is not pinned to a version", name)
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*(JWT_SECRET|JWT_REFRESH_SECRET|KANTUTA_ADMIN_PASSWORD):\s*(.*)$`).FindAllStringSubmatch(c, -1) {
		v := strings.TrimSpace(m[2])
		if v != "${"+m[1]+":-}" {
			t.Errorf("%s: %s — secrets come from the environment, with no default", m[1], v)
		}
	}
	if !strings.Contains(c, "kantuta-data:/app/data") {
		t.Error("the kantuta service does not keep /app/data on a volume")
	}
	// The values the old compose file carried are refused in production.
	for _, v := range []string{"change-me-access-secret-at-least-32-bytes", "change-me-refresh-secret-at-least-32-bytes"} {
		if !config.IsPlaceholderSecret(v) {
			t.Errorf("%s is accepted as a production secret", v)
		}
	}
}
