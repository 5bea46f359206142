package repocheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository root, two levels above this package.
var root = filepath.Join("..", "..")

// docFiles are what a reader of the repository reads.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "api/openapi.yaml", "api/kantuta.postman_collection.json"}
	mds, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(mds) == 0 {
		t.Fatalf("no docs: %v", err)
	}
	for _, m := range mds {
		rel, _ := filepath.Rel(root, m)
		files = append(files, rel)
	}
	return files
}

var (
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// Citations of files that are not in the repository: the shared
	// contract the project started from, and sibling directories.
	outside = regexp.MustCompile(`\.\./shared|SPEC\.md|\bSPEC\b|(^|[\s(\x60"'])\.\./\.\./`)
)

// TestDocsStayInRepo fails when a document links or cites a file outside
// the repository, or links a repository file that does not exist.
func TestDocsStayInRepo(t *testing.T) {
	for _, f := range docFiles(t) {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d cites something outside the repository (%q): %s", f, i+1, strings.TrimSpace(m), strings.TrimSpace(line))
			}
			if !strings.HasSuffix(f, ".md") {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") ||
					strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "#") {
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				abs := filepath.Join(root, filepath.Dir(f), target)
				rel, err := filepath.Rel(root, abs)
				if err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("%s:%d links outside the repository: %s", f, i+1, m[1])
					continue
				}
				if _, err := os.Stat(abs); err != nil {
					t.Errorf("%s:%d links a file that does not exist: %s", f, i+1, m[1])
				}
			}
		}
	}
}

// TestOutsidePatternCatches keeps the check able to fail.
func TestOutsidePatternCatches(t *testing.T) {
	for _, bad := range []string{"see [SPEC](../shared/SPEC.md)", "the contract is `SPEC.md`", "(SPEC §4)", "`../../other/README.md`"} {
		if outside.FindString(bad) == "" {
			t.Errorf("not caught: %s", bad)
		}
	}
	for _, ok := range []string{"see [contract](contract.md) §4", "../api/openapi.yaml", "SPECIAL offer"} {
		if m := outside.FindString(ok); m != "" {
			t.Errorf("false alarm %q in: %s", m, ok)
		}
	}
}
