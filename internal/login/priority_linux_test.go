package login

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// threadNice reads the nice value of a thread from its /proc stat file
// (ok false when the thread ended meanwhile).
func threadNice(stat string) (nice int, ok bool) {
	b, err := os.ReadFile(stat)
	if err != nil {
		return 0, false
	}
	// The fields after the command name (which may hold spaces) start at
	// field 3; nice is field 19.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	n, err := strconv.Atoi(fields[16])
	return n, err == nil
}

// niceThreads lists the threads of this process whose nice is not 0,
// but the main thread: when a locked goroutine exits on it, the runtime
// cannot end it (that would end the process) and parks it for good instead,
// so it never runs a goroutine again.
func niceThreads(t *testing.T) []string {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, task := range tasks {
		if task.Name() == strconv.Itoa(os.Getpid()) {
			continue
		}
		if n, ok := threadNice("/proc/self/task/" + task.Name() + "/stat"); ok && n != 0 {
			out = append(out, task.Name()+"@"+strconv.Itoa(n))
		}
	}
	return out
}

// TestLowPriority checks, as the process runs in production (a non-root
// user: when the test runs as root it runs itself again as nobody), that
// fn runs at nice 10 and that no thread stays at nice 10 afterwards for
// other goroutines to run on.
func TestLowPriority(t *testing.T) {
	if os.Geteuid() == 0 && os.Getenv("KANTUTA_PRIORITY_CHILD") == "" {
		runAsNobody(t)
		return
	}
	if os.Getenv("KANTUTA_PRIORITY_CHILD") != "" && os.Geteuid() == 0 {
		t.Fatal("the child run is still root")
	}
	if before := niceThreads(t); len(before) > 0 {
		t.Skipf("threads already niced before the test: %v", before)
	}
	calls := 0
	for calls < 20 {
		// Called as a request would be: from a goroutine whose thread goes
		// back to the pool afterwards (not the main thread, see niceThreads).
		inside, called := -1, make(chan bool)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if syscall.Gettid() == os.Getpid() {
				called <- false
				return
			}
			lowPriority(func() { inside, _ = threadNice("/proc/thread-self/stat") })
			called <- true
		}()
		if !<-called {
			continue
		}
		calls++
		if inside != 10 {
			t.Fatalf("fn ran at nice %d, want 10", inside)
		}
	}
	// The niced threads end with their goroutines; give the runtime a moment.
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := niceThreads(t)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("threads left at a lowered priority (tid@nice): %v", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("uid %d: fn ran at nice 10 twenty times; no thread left niced", os.Geteuid())
}

// runAsNobody runs TestLowPriority again in a copy of this test binary as
// uid/gid 65534, as the Docker image's user would.
func runAsNobody(t *testing.T) {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("running as root and setpriv is missing: cannot test as a non-root user")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "kantuta-priority-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "login.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-test.run", "^TestLowPriority$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KANTUTA_PRIORITY_CHILD=1")
	out, err := cmd.CombinedOutput()
	t.Logf("as nobody:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS: TestLowPriority") {
		t.Fatalf("as nobody: %v", err)
	}
}
