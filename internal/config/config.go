package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Auth modes.
const (
	AuthOpen  = "open"
	AuthSigV4 = "sigv4"
)

// Config is the complete configuration of `cairn serve`.
type Config struct {
	Listen          string
	DataDir         string
	ConfigFile      string
	Auth            string // open or sigv4; empty until Resolve picks the default
	AllowOpenRemote bool
	DefaultAccount  string
	DefaultRegion   string
	LogLevel        string
	CredentialsFile string
	MaxBodyBytes    int64
	KeyRotation     time.Duration
	// LookupEventsRate throttles LookupEvents per account and region
	// (requests per second); 0 turns throttling off. AWS uses 2.
	LookupEventsRate float64
	// DeliveryInterval is how often trails' log files are delivered;
	// DigestInterval how long one digest file covers.
	DeliveryInterval time.Duration
	DigestInterval   time.Duration
	// ExternalBucketsFile lists buckets on S3-compatible endpoints outside
	// Cairn that trails may deliver to.
	ExternalBucketsFile string
	// QueryTimeout ends a Lake query TIMED_OUT.
	QueryTimeout time.Duration
	// SyncReadEvents answers read-only calls only once their recorded
	// event is on the disk, as every other call is; by default it is
	// written (surviving kill -9) and synced within milliseconds.
	SyncReadEvents bool
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:         "127.0.0.1:4599",
		DataDir:        "./cairn-data",
		DefaultAccount: "123456789012",
		DefaultRegion:  "us-east-1",
		LogLevel:       "info",
		MaxBodyBytes:   2 << 20,
		KeyRotation:    30 * 24 * time.Hour,

		DeliveryInterval: 5 * time.Minute,
		DigestInterval:   time.Hour,
		QueryTimeout:     time.Hour,
	}
}

type setting struct {
	name   string // flag name and config-file key
	usage  string
	set    func(c *Config, v string) error
	isBool bool
}

// flagText records a flag's text; the setting's setter parses it later so
// that flags apply after the file and the environment.
type flagText struct {
	text   string
	isBool bool
}

func (f *flagText) String() string     { return f.text }
func (f *flagText) Set(v string) error { f.text = v; return nil }
func (f *flagText) IsBoolFlag() bool   { return f.isBool }

func (s setting) env() string {
	return "CAIRN_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		*field(c) = d
		return err
	}
}

var settings = []setting{
	{"listen", "address to listen on (host:port)", str(func(c *Config) *string { return &c.Listen }), false},
	{"data-dir", "directory holding all of Cairn's data", str(func(c *Config) *string { return &c.DataDir }), false},
	{"auth", "authentication mode: open (any key, signatures unchecked) or sigv4; default open on loopback, sigv4 elsewhere", str(func(c *Config) *string { return &c.Auth }), false},
	{"allow-open-remote", "allow --auth open on a non-loopback address", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.AllowOpenRemote = b
		return err
	}, true},
	{"default-account", "12-digit account for requests that select none", str(func(c *Config) *string { return &c.DefaultAccount }), false},
	{"default-region", "region for unsigned requests", str(func(c *Config) *string { return &c.DefaultRegion }), false},
	{"log-level", "debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel }), false},
	{"credentials", "credentials file (accounts, users, roles, access keys)", str(func(c *Config) *string { return &c.CredentialsFile }), false},
	{"max-body-bytes", "largest accepted API request body", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		c.MaxBodyBytes = n
		return err
	}, false},
	{"lookup-events-rate", "throttle LookupEvents to this many requests per second per account and region, as AWS does at 2 (0: off)", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil && f < 0 {
			err = errors.New("must not be negative")
		}
		c.LookupEventsRate = f
		return err
	}, false},
	{"key-rotation", "how long a digest signing key stays current (Go duration)", duration(func(c *Config) *time.Duration { return &c.KeyRotation }), false},
	{"delivery-interval", "how often trails deliver log files (Go duration; AWS: about 5m)", duration(func(c *Config) *time.Duration { return &c.DeliveryInterval }), false},
	{"digest-interval", "how long one digest file covers (Go duration; AWS: 1h)", duration(func(c *Config) *time.Duration { return &c.DigestInterval }), false},
	{"sync-read-events", "answer read-only calls only once their recorded event is on the disk (default: once written, which survives kill -9; synced within 5ms)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.SyncReadEvents = b
		return err
	}, true},
	{"query-timeout", "how long a CloudTrail Lake query may run before it ends TIMED_OUT (Go duration; AWS: 1h)", duration(func(c *Config) *time.Duration { return &c.QueryTimeout }), false},
	{"external-buckets", "YAML file listing buckets on external S3-compatible endpoints that trails may deliver to (see docs/delivery.md)", str(func(c *Config) *string { return &c.ExternalBucketsFile }), false},
}

// Load builds the configuration of `cairn serve` from args, the environment
// (getenv) and the config file named by --config or CAIRN_CONFIG.
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	configFile := fs.String("config", "", "YAML config file holding any of the settings below (env CAIRN_CONFIG)")
	values := map[string]*flagText{}
	for _, s := range settings {
		values[s.name] = &flagText{isBool: s.isBool}
		fs.Var(values[s.name], s.name, s.usage+" (env "+s.env()+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg := Default()
	cfg.ConfigFile = *configFile
	if cfg.ConfigFile == "" {
		cfg.ConfigFile = getenv("CAIRN_CONFIG")
	}
	if cfg.ConfigFile != "" {
		if err := applyFile(&cfg, cfg.ConfigFile); err != nil {
			return Config{}, err
		}
	}
	for _, s := range settings {
		if v := getenv(s.env()); v != "" {
			if err := s.set(&cfg, v); err != nil {
				return Config{}, fmt.Errorf("%s=%q: %w", s.env(), v, err)
			}
		}
	}
	var flagErr error
	fs.Visit(func(f *flag.Flag) {
		for _, s := range settings {
			if s.name == f.Name && flagErr == nil {
				if err := s.set(&cfg, values[s.name].text); err != nil {
					flagErr = fmt.Errorf("--%s=%q: %w", s.name, values[s.name].text, err)
				}
			}
		}
	})
	if flagErr != nil {
		return Config{}, flagErr
	}
	if err := cfg.Resolve(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func applyFile(cfg *Config, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	var file map[string]yaml.Node
	if err := yaml.Unmarshal(raw, &file); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	for key, node := range file {
		var s *setting
		for i := range settings {
			if settings[i].name == key {
				s = &settings[i]
			}
		}
		if s == nil {
			return fmt.Errorf("config file %s: unknown setting %q", path, key)
		}
		if node.Kind != yaml.ScalarNode {
			return fmt.Errorf("config file %s: %s must be a single value", path, key)
		}
		if err := s.set(cfg, node.Value); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, key, err)
		}
	}
	return nil
}

var accountPattern = regexp.MustCompile(`^\d{12}$`)

// Resolve fills in the auth default and validates the configuration.
func (c *Config) Resolve() error {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", c.Listen, err)
	}
	loopback := isLoopback(host)
	switch c.Auth {
	case "":
		c.Auth = AuthSigV4
		if loopback {
			c.Auth = AuthOpen
		}
	case AuthOpen, AuthSigV4:
	default:
		return fmt.Errorf("--auth %q: must be open or sigv4", c.Auth)
	}
	if c.Auth == AuthOpen && !loopback && !c.AllowOpenRemote {
		return errors.New("refusing --auth open on non-loopback address " + c.Listen +
			": anyone who can reach it could act as any account. Use --auth sigv4 with a credentials file, or pass --allow-open-remote if you really mean it")
	}
	if !accountPattern.MatchString(c.DefaultAccount) {
		return fmt.Errorf("--default-account %q: must be 12 digits", c.DefaultAccount)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: must be debug, info, warn or error", c.LogLevel)
	}
	if c.DataDir == "" {
		return errors.New("--data-dir must not be empty")
	}
	if c.MaxBodyBytes < 1024 {
		return fmt.Errorf("--max-body-bytes %d: must be at least 1024", c.MaxBodyBytes)
	}
	if c.KeyRotation < time.Minute {
		return fmt.Errorf("--key-rotation %s: must be at least 1m", c.KeyRotation)
	}
	if c.DeliveryInterval < 100*time.Millisecond {
		return fmt.Errorf("--delivery-interval %s: must be at least 100ms", c.DeliveryInterval)
	}
	if c.QueryTimeout < 100*time.Millisecond {
		return fmt.Errorf("--query-timeout %s: must be at least 100ms", c.QueryTimeout)
	}
	if c.DigestInterval < time.Second {
		return fmt.Errorf("--digest-interval %s: must be at least 1s", c.DigestInterval)
	}
	if c.Auth == AuthSigV4 && c.CredentialsFile == "" {
		return errors.New("--auth sigv4 needs --credentials naming a credentials file (see docs/credentials.md)")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
