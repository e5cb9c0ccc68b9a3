package trails

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use. Patterns with long counted
// repetitions ({1,512}) take milliseconds to compile, which would
// otherwise be spent at every start of the binary.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
