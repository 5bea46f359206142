package auth

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowPriority runs fn on an OS thread of its own at nice 10, so that the
// kernel prefers the threads serving other requests while bcrypt works;
// when nothing else runs, bcrypt still gets the whole CPU.
func lowPriority(fn func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	if err := unix.Setpriority(unix.PRIO_PROCESS, tid, 10); err != nil {
		fn()
		return
	}
	defer unix.Setpriority(unix.PRIO_PROCESS, tid, 0) //nolint:errcheck // back to normal before the thread is reused
	fn()
}
