// Package fsutil holds the file-system steps durable writes share.
package fsutil
