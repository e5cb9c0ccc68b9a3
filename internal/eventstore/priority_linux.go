package eventstore

import "syscall"

// lowPriority lowers the calling OS thread's scheduling priority (nice
// 10). On Linux a thread has a nice value of its own.
func lowPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
