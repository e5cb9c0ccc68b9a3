// Package config owns Cairn's server configuration: defaults, the YAML
// config file, CAIRN_* environment variables and command-line flags, with
// the precedence flag > environment > file > default, and validation of the
// result (including the rule that open authentication is refused on a
// non-loopback address unless explicitly allowed).
package config
