package login

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowPriority runs fn at nice 10, so that the kernel prefers the threads
// serving other requests while bcrypt works; when nothing else runs,
// bcrypt still gets the whole CPU.
//
// Only the thread fn runs on is lowered, and that thread is never given
// back to the Go scheduler: putting it back at nice 0 needs CAP_SYS_NICE,
// which the server's non-root user does not have, and a thread left at nice
// 10 in the pool would slow whatever request ran on it next. So fn runs on
// a goroutine that locks its thread and exits still locked, and the runtime
// ends the thread with it. A thread costs microseconds; a bcrypt compare,
// tens of milliseconds.
func lowPriority(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
		// Best effort: if it fails, fn runs at normal priority.
		_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 10)
		fn()
	}()
	<-done
}
